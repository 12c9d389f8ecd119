"""The files that ship inside the package: the Fashion-MNIST subset, the trained model, their records.

They live in ``featuremaps/bundled/`` and are read through :mod:`importlib.resources`, so a
chapter finds them the same way in a clone, in a virtual environment and on Colab.
``make data`` and ``make model`` write them there.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from featuremaps.support import runtime

PACKAGE_DIR = Path(__file__).resolve().parents[1]  # featuremaps/
CLONE_ROOT = PACKAGE_DIR.parent


def path(name: str) -> Path:
    """The bundled file ``name`` (pip installs packages unzipped, so this is a real path)."""
    return Path(str(resources.files("featuremaps").joinpath("bundled", name)))


def in_clone() -> bool:
    """True when the package is imported from a clone of the course repository."""
    return (CLONE_ROOT / ".git").exists() and (CLONE_ROOT / "pyproject.toml").is_file()


def restore_hint(rebuild: str) -> str:
    """How to get a damaged or missing bundled file back, for a clone or for an installed package."""
    if in_clone():
        return f"Restore it with `git checkout -- featuremaps/bundled/` or rebuild it with `{rebuild}`."
    return ("Reinstall the course package to restore it: "
            f"`{runtime.install_command()} --force-reinstall --no-deps`, then restart the kernel.")
