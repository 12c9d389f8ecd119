"""The course the way students meet it: the wheel, each notebook alone, on the runtimes they have.

    python tests/portable/run.py                       # make portable (part of make test): every lane
    python tests/portable/run.py --lanes colab,kaggle  # some lanes
    python tests/portable/run.py --refresh newest      # make newest-lock: resolve the lane's lock again
    python tests/portable/run.py --refresh lowest      # make lowest-lock

One runner, one report, four lanes (``LANES``), each a virtual environment of its own Python:

- ``newest``: Python 3.13, ``requirements-newest.txt``, the newest releases the metadata allows;
- ``lowest``: Python 3.11 (the oldest admitted), ``requirements-lowest.txt``, the lowest versions it
  admits (uv's ``--resolution lowest-direct``): every lower bound in ``pyproject.toml`` is run;
- ``colab`` and ``kaggle``: the runtimes' own versions of everything the course touches
  (``images/*.txt``, made by ``images.py`` from their published package lists), at their Python.

In each lane the chapters' own set-up cell installs the package from the wheel built from the
checkout (on the images it reaches PyPI for what the image lacks, as it does there), and must
replace, upgrade or remove none of the lane's packages. Then every chapter and every generated
student copy is copied alone into an empty folder and run top to bottom under nbval, in a fresh
kernel of that lane. On the colab lane, chapter 0's and chapter 4's widgets are also drawn and
moved in the image's own classic Notebook with its ipywidgets 7, in Chromium (``classic.py``).
The report (printed, and ``_build/portable/report.json``) has a row per lane and notebook: result
and seconds; and per lane: Python, key versions, packages the set-up cell changed, install
seconds, wall time.
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
from dataclasses import dataclass
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
from featuremaps.support import setup_cell  # noqa: E402

WORK = ROOT / "_build" / "portable"
FIND_PYTHON = ROOT / "tools" / "find_python.sh"
SHIPPED = ["fashion_mnist_subset.npz", "fashion_mnist_subset.sha256",
           "fashion_cnn.npz", "fashion_cnn.sha256", "fashion_cnn.json"]
OFFLINE = {"PIP_NO_INDEX": "1", "PIP_CONFIG_FILE": os.devnull, "PIP_FIND_LINKS": ""}  # no index, no mirror
# The test tools a lane adds to run notebooks (pinned like the course's; the image keeps its own versions).
TOOLS = ["nbval==0.11.0", "pytest-xdist==3.8.0"]
KEY_PACKAGES = ["tensorflow", "tensorflow-cpu", "keras", "numpy", "ipywidgets", "anywidget", "ipykernel",
                "otter-grader"]


@dataclass(frozen=True)
class Lane:
    name: str
    python: str  # the version the finder looks for
    packages: Path  # a lock (every package, test tools included) or an image (the runtime's versions)
    image: bool  # an image: the set-up cell goes online for what the image lacks, and may add but not change
    classic: bool = False  # also render the widgets in the image's classic Notebook, in Chromium (classic.py)


LANES = {lane.name: lane for lane in [
    Lane("newest", "3.13", ROOT / "requirements-newest.txt", image=False),
    Lane("lowest", "3.11", ROOT / "requirements-lowest.txt", image=False),
    Lane("colab", "3.13", HERE / "images" / "colab.txt", image=True, classic=True),
    Lane("kaggle", "3.12", HERE / "images" / "kaggle.txt", image=True),
]}
# What each lock holds: the package with these extras, its test tools, resolved on the lane's Python.
LOCK_EXTRAS = {"newest": "tensorflow,grading,test", "lowest": "tensorflow,grading"}


def run(*command, env=None, **options) -> subprocess.CompletedProcess:
    shown = [str(c) if "\n" not in str(c) else "<the set-up cell>" for c in command]
    print("$", " ".join(shown), flush=True)
    return subprocess.run([str(c) for c in command], check=True, env={**os.environ, **(env or {})}, **options)


def find_python(version: str) -> str:
    """A working interpreter of ``version`` (tools/find_python.sh: PATH, pyenv, Homebrew), or one sentence."""
    out = subprocess.run(["bash", str(FIND_PYTHON), version], capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(out.stderr.strip())
    return out.stdout.strip()


def uv() -> Path:
    return Path(sys.executable).with_name("uv")  # pinned in requirements.txt


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


def new_venv(python: str, folder: Path, upgrade_pip: bool = True) -> Path:
    shutil.rmtree(folder, ignore_errors=True)
    run(python, "-m", "venv", folder)
    if upgrade_pip:
        run(folder / "bin" / "python", "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    return folder / "bin" / "python"


def freeze(python: Path) -> dict[str, str]:
    """Every installed distribution but featuremaps and pip, by lower-case name."""
    out = run(python, "-c", "from importlib import metadata; print('\\n'.join(sorted("
              "f'{d.metadata[\"Name\"]}=={d.version}' for d in metadata.distributions())))",
              capture_output=True, text=True).stdout
    pins = dict(line.split("==", 1) for line in out.splitlines() if "==" in line)
    return {name.lower().replace("_", "-"): version for name, version in pins.items()
            if name.lower() not in ("featuremaps", "pip")}


def python_version(python: Path | str) -> str:
    return run(python, "-c", "import platform; print(platform.python_version())",
               capture_output=True, text=True).stdout.strip()


def refresh(lane: Lane, python: str) -> None:
    """Resolve a lock lane again (newest: the newest releases; lowest: the lowest direct ones) and show the change."""
    version = python_version(python)
    if lane.name == "newest":
        wheel = build_wheel()
        venv = new_venv(python, WORK / "resolve")
        run(venv, "-m", "pip", "install", f"featuremaps[{LOCK_EXTRAS['newest']}] @ {wheel.as_uri()}")
        pins = [f"{name}=={v}" for name, v in sorted(freeze(venv).items())]
        how = f"what `pip install featuremaps[{LOCK_EXTRAS['newest']}]` resolved"
    else:
        tools = WORK / "lowest-tools.in"
        tools.write_text("\n".join(TOOLS + ["ipykernel==6.29.0", "pytest==8.0.0"]) + "\n")
        out = run(uv(), "pip", "compile", ROOT / "pyproject.toml", tools, "--resolution", "lowest-direct",
                  *[f"--extra={extra}" for extra in LOCK_EXTRAS["lowest"].split(",")], "--python-version",
                  ".".join(version.split(".")[:2]), "--no-header", "--no-annotate", "-q",
                  capture_output=True, text=True).stdout
        pins = sorted((line for line in out.splitlines() if "==" in line), key=str.lower)
        how = (f"`uv pip compile --resolution lowest-direct` of featuremaps[{LOCK_EXTRAS['lowest']}] (the lowest "
               "versions its metadata admits) and the test tools")
    header = [f"# The '{lane.name}' lane of the portable run: {how} on",
              f"# Python {version}, {date.today().isoformat()}. Written by `make {lane.name}-lock`; "
              "tested by `make portable`.",
              "# The course's own environment is pinned in requirements.txt."]
    new = header + pins
    old = lane.packages.read_text().splitlines() if lane.packages.exists() else []
    lane.packages.write_text("\n".join(new) + "\n")
    changes = [line for line in difflib.unified_diff(old[3:], new[3:], "before", "after", lineterm="")
               if line.startswith(("+", "-")) and not line.startswith(("+++", "---"))]
    print(f"wrote {lane.packages.name}: {len(pins)} packages; "
          + (f"{len(changes)} lines changed:" if changes else "nothing changed"))
    print("\n".join(changes))


def lane_venv(lane: Lane, python: str) -> Path:
    """The lane's environment without the course package (kept while its package list and Python are the same)."""
    folder = WORK / lane.name / "venv"
    key = hashlib.sha256(lane.packages.read_bytes() + python_version(python).encode()
                         + " ".join(TOOLS).encode()).hexdigest()
    stamp = folder / ".packages-sha256"
    if not (stamp.exists() and stamp.read_text() == key):
        venv = new_venv(python, folder, upgrade_pip=not lane.image)
        run(uv(), "pip", "install", "--python", venv, "-r", lane.packages)
        if lane.image:  # the test tools, at versions that keep every package of the image as it is
            run(uv(), "pip", "install", "--python", venv, *TOOLS, "-c", lane.packages)
        (folder / "packages.json").write_text(json.dumps(freeze(venv)))
        stamp.write_text(key)
    venv = folder / "bin" / "python"
    # A kept environment goes back to what it was built with: the course, and whatever an earlier
    # set-up cell added beside it, are removed, so the cell is measured on the lane as built.
    added = sorted(set(freeze(venv)) - set(json.loads((folder / "packages.json").read_text())))
    if added or list((folder / "lib").glob("python*/site-packages/featuremaps")):
        run(venv, "-m", "pip", "uninstall", "--quiet", "--yes", "featuremaps", *added)
    return venv


def install_course(lane: Lane, venv: Path, wheel: Path) -> dict:
    """The set-up cell every chapter and student copy starts with, pointed at the wheel; what it changed."""
    before = freeze(venv)
    cell = setup_cell.setup_source(wheel.as_uri(), grading=True)
    start = time.perf_counter()
    run(venv, "-c", cell, env={} if lane.image else OFFLINE, cwd=WORK)
    installed = time.perf_counter() - start
    run(venv, "-c", "import featuremaps.model", cwd=WORK)  # TensorFlow and Keras imported: a chapter is ready
    ready = time.perf_counter() - start
    after = freeze(venv)
    changed = sorted(f"{name} {before[name]} -> {after.get(name, 'removed')}"
                     for name in before if after.get(name) != before[name])
    added = sorted(f"{name}=={after[name]}" for name in after if name not in before)
    where = run(venv, "-c", "import featuremaps; print(featuremaps.__file__)", capture_output=True,
                text=True, cwd=WORK).stdout.strip()
    assert where.startswith(str(venv.parents[1])), f"featuremaps was imported from {where}, not from the venv"
    return {"changed": changed, "added": added, "install_seconds": round(installed, 1),
            "ready_seconds": round(ready, 1), "versions": {k: after[k] for k in KEY_PACKAGES if k in after}}


def notebooks() -> list[Path]:
    student = sorted((ROOT / "assignments" / "dist" / "student").glob("*.ipynb"))
    if not student:
        raise SystemExit("No student copies in assignments/dist/student: run `make assignments` first.")
    return sorted((ROOT / "chapters").glob("*.ipynb")) + student


def run_alone(lane: Lane, venv: Path, paths: list[Path], workers: str) -> dict[str, dict]:
    """Each notebook alone in an empty folder, executed under nbval in the lane's own kernel."""
    folder = WORK / lane.name / "run"
    shutil.rmtree(folder, ignore_errors=True)
    names = {}
    for path in paths:
        kind = "student" if path.parent.name == "student" else "chapter"
        target = folder / f"{kind}-{path.stem}" / path.name
        target.parent.mkdir(parents=True)
        shutil.copy(path, target)
        names[f"{kind}-{path.stem}"] = f"{kind} {path.stem}"
    (folder / "pytest.ini").write_text("[pytest]\n")  # not the repository's settings
    report = WORK / lane.name / "report.xml"
    report.unlink(missing_ok=True)
    subprocess.run([str(venv), "-m", "pytest", "--nbval-lax", "--nbval-current-env", "-n", workers,
                    "--dist", "loadscope", "-p", "no:cacheprovider", "-c", str(folder / "pytest.ini"),
                    "--rootdir", str(folder), f"--junitxml={report}", "-q", str(folder)], cwd=folder,
                   env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"})
    results = {name: {"result": "not run", "seconds": 0.0} for name in names.values()}
    if report.exists():
        for case in ElementTree.parse(report).iter("testcase"):
            key = (case.get("classname", "").split(".")[0] or case.get("file", "")).split("/")[0]
            row = results.get(names.get(key, ""))
            if row is None:
                continue
            row["seconds"] = round(row["seconds"] + float(case.get("time", 0)), 1)
            failed = case.find("failure") is not None or case.find("error") is not None
            row["result"] = "failed" if failed or row["result"] == "failed" else "passed"
    return results


def run_lane(lane: Lane, python: str, wheel: Path, workers: str) -> dict:
    start = time.perf_counter()
    venv = lane_venv(lane, python)
    summary = {"lane": lane.name, "python": python_version(venv)}
    try:
        summary |= install_course(lane, venv, wheel)
    except subprocess.CalledProcessError as exc:
        return summary | {"error": f"the set-up cell failed ({exc})", "wall_seconds": time.perf_counter() - start}
    summary["notebooks"] = run_alone(lane, venv, notebooks(), workers)
    if lane.classic:
        from classic import check_widgets  # Playwright: imported only where a lane needs it

        summary["classic_widgets"] = check_widgets(venv, WORK / lane.name)
    summary["wall_seconds"] = round(time.perf_counter() - start, 1)
    return summary


def lane_problems(summary: dict) -> list[str]:
    """Why a lane failed: an error, a notebook that did not pass, a package the set-up cell changed or added."""
    problems = [summary["error"]] if "error" in summary else []
    problems += [f"the set-up cell changed {change}" for change in summary.get("changed", [])]
    if summary["lane"] in LOCK_EXTRAS and summary.get("added"):
        problems.append(f"the set-up cell installed what {LANES[summary['lane']].packages.name} does not hold: "
                        f"{summary['added']}; run `make {summary['lane']}-lock` and commit the file")
    problems += [f"{name}: {row['result']}" for name, row in summary.get("notebooks", {}).items()
                 if row["result"] != "passed"]
    if summary.get("classic_widgets", "passed") != "passed":
        problems.append(f"widgets in the classic Notebook: {summary['classic_widgets']}")
    return problems


def print_report(summaries: list[dict]) -> None:
    print("\nlane    python   notebook                               result   seconds")
    for s in summaries:
        for name, row in s.get("notebooks", {}).items():
            print(f"{s['lane']:7} {s['python']:8} {name:38} {row['result']:8} {row['seconds']:7.1f}")
    print("\nlane    python   passed  widgets  changed  added  install s  ready s  wall s  versions")
    for s in summaries:
        rows = s.get("notebooks", {}).values()
        passed = f"{sum(r['result'] == 'passed' for r in rows)}/{len(rows)}"
        versions = " ".join(f"{k}={v}" for k, v in s.get("versions", {}).items())
        widgets = s.get("classic_widgets", "-")[:6]
        print(f"{s['lane']:7} {s['python']:8} {passed:7} {widgets:8} {len(s.get('changed', [])):7} "
              f"{len(s.get('added', [])):6} "
              f"{s.get('install_seconds', 0):10.1f} {s.get('ready_seconds', 0):8.1f} {s['wall_seconds']:7.1f}  "
              f"{versions}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lanes", default=",".join(LANES), help=f"comma-separated, of {', '.join(LANES)}")
    parser.add_argument("--python", default="", help="the Python 3.13 for the newest and colab lanes "
                        "(default: the one tools/find_python.sh finds)")
    parser.add_argument("--refresh", choices=sorted(LOCK_EXTRAS), help="resolve a lane's lock again")
    parser.add_argument("--workers", default="2", help="notebooks run at once in a lane (pytest-xdist -n)")
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)

    def python_of(lane: Lane) -> str:
        return args.python if args.python and lane.python == "3.13" else find_python(lane.python)

    if args.refresh:
        refresh(LANES[args.refresh], python_of(LANES[args.refresh]))
        return
    unknown = [name for name in args.lanes.split(",") if name not in LANES]
    if unknown:
        raise SystemExit(f"No lane {unknown}: the lanes are {', '.join(LANES)}")
    lanes = [LANES[name] for name in args.lanes.split(",")]
    pythons = {lane.name: python_of(lane) for lane in lanes}  # every interpreter found before any lane runs
    wheel = build_wheel()
    summaries = []
    for lane in lanes:
        print(f"\n== lane {lane.name}: Python {lane.python}, {lane.packages.relative_to(ROOT)} ==", flush=True)
        summaries.append(run_lane(lane, pythons[lane.name], wheel, args.workers))
        (WORK / "report.json").write_text(json.dumps(summaries, indent=1) + "\n")
    print_report(summaries)
    failures = {s["lane"]: lane_problems(s) for s in summaries}
    failures = {lane: problems for lane, problems in failures.items() if problems}
    for lane, problems in failures.items():
        print(f"\nlane {lane} failed:\n- " + "\n- ".join(problems))
    print(f"\nreport: {(WORK / 'report.json').relative_to(ROOT)}")
    if failures:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
