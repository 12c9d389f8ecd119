"""The course the way a student meets it: the wheel, a newer Python, each notebook alone in an empty folder.

    python tests/portable/run.py --python python3.13              # make portable (part of make test)
    python tests/portable/run.py --python python3.13 --refresh    # make newest-lock

The run builds the wheel from the checkout and a virtual environment of ``--python`` from
``requirements-newest.txt``: the newest releases the package's metadata allowed when the
file was last refreshed (what Colab or Kaggle would install), not the course's own pins.
The package itself is installed by the chapters' own set-up cell, offline, from the wheel.
Then every chapter and every generated student copy is copied alone into an empty folder
and run top to bottom under nbval, in that environment.

``--refresh`` resolves the newest releases again, writes ``requirements-newest.txt`` and
prints what changed.
"""

from __future__ import annotations

import argparse
import difflib
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ElementTree
import zipfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from featuremaps import setup_cell  # noqa: E402

LOCK = ROOT / "requirements-newest.txt"
WORK = ROOT / "_build" / "portable"
EXTRAS = "tensorflow,grading,test"  # what the lock holds: the package, its backend, the checks, the test tools
SHIPPED = ["fashion_mnist_subset.npz", "fashion_mnist_subset.sha256", "fashion_cnn.npz", "fashion_cnn.json"]
OFFLINE = {"PIP_NO_INDEX": "1", "PIP_CONFIG_FILE": os.devnull, "PIP_FIND_LINKS": ""}  # no index, no mirror


def run(*command, env=None, **options) -> subprocess.CompletedProcess:
    shown = [str(c) if "\n" not in str(c) else "<the set-up cell>" for c in command]
    print("$", " ".join(shown), flush=True)
    return subprocess.run([str(c) for c in command], check=True, env={**os.environ, **(env or {})}, **options)


def build_wheel() -> Path:
    dist = WORK / "dist"
    shutil.rmtree(dist, ignore_errors=True)
    shutil.rmtree(ROOT / "build", ignore_errors=True)  # setuptools' staging folder: a stale file there would ship
    run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", dist, ROOT)
    (wheel,) = dist.glob("featuremaps-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    missing = [name for name in SHIPPED if f"featuremaps/bundled/{name}" not in names]
    tests = [n for n in names if n.startswith("featuremaps/bundled/assignment_tests/")]
    if missing or not tests:
        raise SystemExit(f"The wheel lacks {missing or 'the assignments public tests'}: see package-data in "
                         "pyproject.toml.")
    print(f"wheel: {wheel.name}, {wheel.stat().st_size:,} bytes, {len(names)} files "
          f"(the data, the model, their records, {len(tests)} public tests)")
    return wheel


def new_venv(python: str, folder: Path) -> Path:
    shutil.rmtree(folder, ignore_errors=True)
    run(python, "-m", "venv", folder)
    run(folder / "bin" / "python", "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    return folder / "bin" / "python"


def freeze(python: Path) -> list[str]:
    out = run(python, "-m", "pip", "freeze", "--exclude", "featuremaps", "--exclude", "pip",
              capture_output=True, text=True).stdout
    return sorted((line for line in out.splitlines() if line and not line.startswith("#")), key=str.lower)


def python_version(python: Path | str) -> str:
    return run(python, "-c", "import platform; print(platform.python_version())",
               capture_output=True, text=True).stdout.strip()


def refresh(python: str) -> None:
    """Resolve the newest releases the metadata allows; write the lock and show what changed."""
    wheel = build_wheel()
    venv = new_venv(python, WORK / "resolve")
    run(venv, "-m", "pip", "install", f"featuremaps[{EXTRAS}] @ {wheel.as_uri()}")
    header = [f"# The 'newest' environment: what `pip install featuremaps[{EXTRAS}]` resolved on",
              f"# Python {python_version(venv)}, {date.today().isoformat()}. Written by `make newest-lock`; "
              "tested by `make portable`.",
              "# The course's own environment is pinned in requirements.txt."]
    new = header + freeze(venv)
    old = LOCK.read_text().splitlines() if LOCK.exists() else []
    LOCK.write_text("\n".join(new) + "\n")
    changes = [line for line in difflib.unified_diff(old[3:], new[3:], "before", "after", lineterm="")
               if line.startswith(("+", "-")) and not line.startswith(("+++", "---"))]
    print(f"wrote {LOCK.name}: {len(new) - 3} packages; " + (f"{len(changes)} lines changed:" if changes
                                                               else "nothing changed"))
    print("\n".join(changes))


def environment(python: str, wheel: Path) -> Path:
    """The portable venv from the lock (kept while the lock and the Python are the same), package via the cell."""
    folder = WORK / "venv"
    key = hashlib.sha256(LOCK.read_bytes() + python_version(python).encode()).hexdigest()
    stamp = folder / ".lock-sha256"
    if not (stamp.exists() and stamp.read_text() == key):
        venv = new_venv(python, folder)
        uv = Path(sys.executable).with_name("uv")  # pinned in requirements.txt; pip does the same, slower
        if uv.is_file():
            run(uv, "pip", "install", "--python", venv, "-r", LOCK)
        else:
            run(venv, "-m", "pip", "install", "--progress-bar", "off", "-r", LOCK)
        stamp.write_text(key)
    venv = folder / "bin" / "python"
    if list((folder / "lib").glob("python*/site-packages/featuremaps")):
        run(venv, "-m", "pip", "uninstall", "--quiet", "--yes", "featuremaps")
    # The set-up cell every chapter and student copy starts with, pointed at the wheel, offline.
    cell = setup_cell.cell_source(wheel.as_uri(), grading=True)
    run(venv, "-c", cell, env=OFFLINE, cwd=WORK)
    run(venv, "-m", "pip", "check")
    extra = sorted(set(freeze(venv)) - set(LOCK.read_text().splitlines()))
    if extra:
        raise SystemExit(f"The package installed what {LOCK.name} does not hold: {extra}. "
                         "Run `make newest-lock` and commit the file.")
    where = run(venv, "-c", "import featuremaps; print(featuremaps.__file__)", capture_output=True,
                text=True, cwd=WORK).stdout.strip()
    assert where.startswith(str(folder)), f"featuremaps was imported from {where}, not from the venv"
    return venv


def notebooks() -> list[Path]:
    student = sorted((ROOT / "assignments" / "dist" / "student").glob("*.ipynb"))
    if not student:
        raise SystemExit("No student copies in assignments/dist/student: run `make assignments` first.")
    return sorted((ROOT / "chapters").glob("*.ipynb")) + student


def run_alone(venv: Path, paths: list[Path], workers: str) -> None:
    """Each notebook alone in an empty folder, executed under nbval in the venv's own kernel."""
    folder = WORK / "run"
    shutil.rmtree(folder, ignore_errors=True)
    for path in paths:
        kind = "student" if path.parent.name == "student" else "chapter"
        target = folder / f"{kind}-{path.stem}" / path.name
        target.parent.mkdir(parents=True)
        shutil.copy(path, target)
    (folder / "pytest.ini").write_text("[pytest]\n")  # not the repository's settings
    report = WORK / "report.xml"
    start = time.perf_counter()
    result = subprocess.run([str(venv), "-m", "pytest", "--nbval-lax", "--nbval-current-env",
                             "-n", workers, "--dist", "loadscope", "-p", "no:cacheprovider",
                             "-c", str(folder / "pytest.ini"), "--rootdir", str(folder),
                             f"--junitxml={report}", "-q", str(folder)], cwd=folder,
                            env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"})
    print(f"portable run: {time.perf_counter() - start:.1f} s wall")
    if report.exists():
        seconds: dict[str, float] = {}
        for case in ElementTree.parse(report).iter("testcase"):
            name = case.get("classname", "").split(".")[0] or case.get("file", "")
            seconds[name] = seconds.get(name, 0.0) + float(case.get("time", 0))
        for name, total in sorted(seconds.items()):
            print(f"  {name:50} {total:6.1f} s")
    if result.returncode:
        raise SystemExit(result.returncode)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", default="python3.13", help="the interpreter students have (default python3.13)")
    parser.add_argument("--refresh", action="store_true", help="resolve the newest releases again into the lock")
    parser.add_argument("--workers", default="2", help="notebooks run at once (pytest-xdist -n)")
    args = parser.parse_args()
    if shutil.which(args.python) is None and not Path(args.python).is_file():
        raise SystemExit(f"No {args.python} here: install it (pyenv install 3.13, or apt-get install "
                         "python3.13 where the distribution has it), or pass PORTABLE_PYTHON=/path/to/python.")
    WORK.mkdir(parents=True, exist_ok=True)
    if args.refresh:
        refresh(args.python)
        return
    start = time.perf_counter()
    venv = environment(args.python, build_wheel())
    print(f"portable environment ready in {time.perf_counter() - start:.1f} s "
          f"(Python {python_version(venv)}, {len(freeze(venv))} packages from {LOCK.name})")
    run_alone(venv, notebooks(), args.workers)
    print(json.dumps({"portable": "passed"}))


if __name__ == "__main__":
    main()
