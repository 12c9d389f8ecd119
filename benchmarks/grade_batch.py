"""How long the assignments take to generate, and to grade one submission and a batch.

Usage: .venv/bin/python benchmarks/grade_batch.py [--generate] [--batch 30] [--jobs 1 2]

--generate times `python -m featuremaps.grading generate` (all assignments, with otter
running each solution against its tests) into a temporary folder. The batch cycles
through every assignment's solutions and untouched student copies, so it mixes full
and zero scores; it is graded with each --jobs count in turn (a trusted process and a
sandboxed student process per submission, `jobs` at a time), exactly as `make grade` does.
It also reports the sandbox and the limits in force. Nothing is written into the repository.
"""

import argparse
import csv
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from featuremaps import grading


def load_average() -> str:
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "?"


def run(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, text=True)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--generate", action="store_true", help="also time generating the assignments")
    parser.add_argument("--batch", type=int, default=30, help="submissions in the batch")
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2], help="grade the batch with each of these")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="grade-bench-") as tmp:
        tmp = Path(tmp)
        dist = grading.DIST_DIR
        print(f"machine: {Path('/proc/cpuinfo').read_text().count('processor')} cores, "
              f"load average before: {load_average()}")
        if args.generate:
            dist = tmp / "dist"
            seconds = run([sys.executable, "-m", "featuremaps.grading", "generate", "--dist", str(dist)])
            print(f"generate all {len(grading.source_notebooks())} assignments: {seconds:.1f} s")
        names = grading.available_assignments(dist)
        if not names:
            sys.exit("no generated assignments: run `make assignments` (or pass --generate)")
        one = tmp / "one"
        one.mkdir()
        shutil.copy(dist / "solutions" / f"{names[0]}.ipynb", one / f"{names[0]}.ipynb")
        seconds = run([sys.executable, "-m", "featuremaps.grading", "grade", str(one), "--dist", str(dist),
                       "--out", str(tmp / "one-graded")])
        print(f"grade one submission ({names[0]}, the solutions), command end to end: {seconds:.1f} s")
        batch = tmp / "batch"
        batch.mkdir()
        for i in range(args.batch):
            name = names[i % len(names)]
            kind = "solutions" if (i // len(names)) % 2 == 0 else "student"
            shutil.copy(dist / kind / f"{name}.ipynb", batch / f"s{i:02d}-{kind}-{name}.ipynb")
        for jobs in args.jobs:
            out = tmp / f"batch-graded-{jobs}"
            seconds = run([sys.executable, "-m", "featuremaps.grading", "grade", str(batch), "--dist", str(dist),
                           "--out", str(out), "--jobs", str(jobs)])
            with open(out / "grades.csv", newline="") as f:
                rows = list(csv.DictReader(f))
            per = [float(row["seconds"]) for row in rows]
            graded = sum(row["status"] == "graded" for row in rows)
            print(f"--jobs {jobs}: a batch of {len(rows)} ({graded} graded) in {seconds:.1f} s, "
                  f"{seconds / len(rows):.1f} s per submission of wall time; each submission took a median of "
                  f"{statistics.median(per):.1f} s, at most {max(per):.1f} s", flush=True)
            for name in names:  # per slot: a submission's seconds from its start to its row
                mine = [float(row["seconds"]) for row in rows if row["assignment"] == name]
                if mine:
                    print(f"  {name}: median {statistics.median(mine):.1f} s per submission per slot "
                          f"({len(mine)} submissions)", flush=True)
        from featuremaps.grading.sandbox import Limits, choose_mode

        limits = Limits()
        print(f"sandbox: {choose_mode('auto')}; memory cap {limits.memory / 2**30:g} GiB, {limits.processes} "
              f"processes, {limits.file_bytes / 2**20:g} MB per file; load average after: {load_average()}")


if __name__ == "__main__":
    main()
