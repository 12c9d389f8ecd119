"""What the course needs of the Python it runs in, checked once when ``featuremaps`` is imported.

Students run the chapters in JupyterLab, Colab, Kaggle or a university hub, each with its
own preinstalled versions. A wrong one should cost one clear sentence, not an
``AttributeError`` deep inside a widget. This module also holds the one copy of the
environment variables that keep TensorFlow's start-up logging out of the pages.
"""

from __future__ import annotations

import itertools
import json
import os
import sys
from importlib import metadata
from importlib.util import find_spec

# TensorFlow reads these when it is first imported; kernels, tests and graders all take them from here.
TENSORFLOW_QUIET = {"TF_CPP_MIN_LOG_LEVEL": "2", "TF_ENABLE_ONEDNN_OPTS": "0"}
BACKEND = "tensorflow"  # the library calls TensorFlow itself (gradients in the depth chapters)
# The oldest versions the course works with (pyproject.toml's lower bounds; a test keeps them equal), and why.
NEEDED = {"keras": ("3.5", "Keras 3 (`keras.Input`, `model.inputs`)"),
          "ipywidgets": ("7.7", "ipywidgets 7.7 or 8 (the activation browser)"),
          "anywidget": ("0.9", "anywidget (the activation browser's front end)")}
# TensorFlow is an extra (runtimes preinstall it): its lowest version (the extra's bound) is checked too.
BACKEND_LOWEST = "2.16.1"
BACKEND_DISTRIBUTIONS = ("tensorflow", "tensorflow-cpu")  # either build provides the module


class RuntimeProblem(RuntimeError):
    """This Python lacks something the course needs; the message says what to install."""


def quiet_tensorflow() -> None:
    """Set TensorFlow's logging variables and the Keras backend, unless the user chose otherwise."""
    for name, value in TENSORFLOW_QUIET.items():
        os.environ.setdefault(name, value)
    os.environ.setdefault("KERAS_BACKEND", BACKEND)


def installed_version(package: str) -> str | None:
    """The version in use: the imported module's if it is already loaded, else the installed one."""
    module = sys.modules.get(package)
    if module is not None and getattr(module, "__version__", None):
        return str(module.__version__)
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def install_command(extra: str = "") -> str:
    """How to (re)install this package from where it came from (PEP 610's direct_url.json)."""
    name = f"featuremaps[{extra}]" if extra else "featuremaps"
    try:
        direct = json.loads(metadata.distribution("featuremaps").read_text("direct_url.json") or "{}")
    except (metadata.PackageNotFoundError, ValueError):
        direct = {}
    url, vcs = direct.get("url", ""), direct.get("vcs_info", {})
    if vcs and url:
        ref = vcs.get("requested_revision")
        url = f"git+{url}" + (f"@{ref}" if ref else "")
    if not url or direct.get("dir_info", {}).get("editable"):
        return f"pip install -e '.[{extra}]'" if extra else "pip install -e ."  # a clone
    return f"pip install '{name} @ {url}'"


def _release(version: str) -> tuple[int, ...]:
    """'3.15.1' -> (3, 15, 1); '8.1.0rc1' -> (8, 1, 0): enough to compare with a lower bound."""
    numbers = []
    for part in version.split("."):
        digits = "".join(itertools.takewhile(str.isdigit, part))
        if not digits:
            break
        numbers.append(int(digits))
    return tuple(numbers)


def problems() -> list[str]:
    """Every reason the course cannot run here, each with its fix (empty when all is well)."""
    found = []
    for package, (lowest, what) in NEEDED.items():
        version = installed_version(package)
        if version is None:
            found.append(f"{what} is not installed: `pip install '{package}>={lowest}'`.")
        elif _release(version) < _release(lowest):
            found.append(f"The course needs {what}, {lowest} or newer; this runtime has {package} {version}. "
                         f"Upgrade it with `pip install -U '{package}>={lowest}'`, then restart the kernel "
                         "and run again.")
    chosen = os.environ.get("KERAS_BACKEND", BACKEND)
    if chosen != BACKEND:
        found.append(f"KERAS_BACKEND is {chosen!r}, but the course runs Keras on TensorFlow: set "
                     f"KERAS_BACKEND=tensorflow (or unset it) and restart the kernel.")
    elif find_spec(BACKEND) is None:
        found.append(f"Keras's backend, TensorFlow, is not installed: `pip install 'tensorflow>={BACKEND_LOWEST}'` "
                     "(or tensorflow-cpu), then restart the kernel.")
    else:
        version = next(filter(None, map(installed_version, BACKEND_DISTRIBUTIONS)), None)
        if version is not None and _release(version) < _release(BACKEND_LOWEST):
            found.append(f"The course needs TensorFlow {BACKEND_LOWEST} or newer (Keras 3's backend); this runtime "
                         f"has {version}. Upgrade it with `pip install -U 'tensorflow>={BACKEND_LOWEST}'`, then "
                         "restart the kernel and run again.")
    return found


def check() -> None:
    """Raise one :class:`RuntimeProblem` naming everything missing; on Colab, turn on ipywidgets 8."""
    found = problems()
    if found:
        raise RuntimeProblem("This Python cannot run the course yet:\n- " + "\n- ".join(found))
    enable_colab_widgets()


def enable_colab_widgets() -> None:
    """Colab renders ipywidgets 8 and custom widgets only with its custom widget manager on."""
    if "google.colab" in sys.modules:
        from google.colab import output

        output.enable_custom_widget_manager()
