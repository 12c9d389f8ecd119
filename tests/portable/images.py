"""The runtime images the portable run imitates: Colab's and Kaggle's versions of what the course touches.

    python tests/portable/images.py colab  FREEZE --python 3.13 --source "..."
    python tests/portable/images.py kaggle FREEZE --python 3.12 --source "..." --override ipywidgets==8.1.5 ...

FREEZE is a runtime's published ``pip freeze`` (Colab: ``pip-freeze.txt`` in googlecolab/backend-info;
Kaggle builds on a Colab image and pins a few packages in ``kaggle_requirements.txt`` of
Kaggle/docker-python, given as ``--override``). The image file written to ``images/NAME.txt`` holds,
at the runtime's own versions, every package of that list that the course, its checks and the
kernel need (the closure of ``NEEDS``), so a lane that installs it has the runtime's versions
wherever the course could touch them. The images are committed: no runtime list is fetched in CI.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
# What a chapter, a student copy and its kernel import, by distribution name (versions are the image's).
NEEDS = ["tensorflow", "keras", "numpy", "matplotlib", "ipywidgets", "anywidget", "pillow", "scikit-image",
         "scikit-learn", "pyyaml", "otter-grader", "ipykernel", "ipython", "jupyter-client", "nbformat",
         "nbclient", "notebook", "pytest"]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)\s*$")


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def read_pins(lines) -> dict[str, str]:
    """``name==version`` lines (direct URLs and comments skipped), by canonical name."""
    return {canonical(m.group(1)): m.group(2) for m in map(PIN.match, lines) if m}


def image(freeze: dict[str, str], python: str, uv: Path) -> dict[str, str]:
    """The closure of NEEDS resolved under the runtime's versions, kept where the runtime has the package."""
    with tempfile.TemporaryDirectory() as folder:
        constraints, wanted = Path(folder, "c.txt"), Path(folder, "in.txt")
        constraints.write_text("".join(f"{name}=={version}\n" for name, version in freeze.items()))
        wanted.write_text("\n".join(NEEDS) + "\n")
        out = subprocess.run([str(uv), "pip", "compile", str(wanted), "-c", str(constraints), "--python-version",
                              python, "--no-header", "--no-annotate", "-q"], capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(f"The runtime's versions do not resolve together:\n{out.stderr}")
    resolved = read_pins(out.stdout.splitlines())
    return {name: version for name, version in sorted(resolved.items()) if freeze.get(name) == version}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name", help="the image's name: images/NAME.txt")
    parser.add_argument("freeze", type=Path, help="the runtime's published pip freeze")
    parser.add_argument("--python", required=True, help="the runtime's Python, e.g. 3.13")
    parser.add_argument("--source", required=True, help="where the list comes from (kept in the file's header)")
    parser.add_argument("--override", nargs="*", default=[], help="name==version pins that replace the list's")
    parser.add_argument("--drop", nargs="*", default=[], help="names the overrides make the runtime re-resolve")
    args = parser.parse_args()
    freeze = read_pins(args.freeze.read_text().splitlines())
    freeze.update(read_pins(args.override))
    for name in args.drop:
        freeze.pop(canonical(name), None)
    pins = image(freeze, args.python, Path(sys.executable).with_name("uv"))
    header = [f"# The {args.name} image, as far as the course touches it: Python {args.python}.",
              f"# From {args.source}" + (f", with {' '.join(args.override)}" if args.override else "") + ".",
              f"# Written by tests/portable/images.py on {date.today().isoformat()}; "
              "read by tests/portable/run.py (the portable run's lanes).",
              f"# python=={args.python}"]
    path = HERE / "images" / f"{args.name}.txt"
    path.write_text("\n".join(header + [f"{name}=={version}" for name, version in pins.items()]) + "\n")
    print(f"wrote {path.relative_to(HERE.parents[1])}: {len(pins)} packages")


if __name__ == "__main__":
    main()
