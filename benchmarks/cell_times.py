"""How long the sandboxed student's process takes to start, and each cell of a solution after it.

Usage: .venv/bin/python benchmarks/cell_times.py [--assignment 03-reading-the-maps] [--repeat 3]

Runs the assignment's solutions in the sandbox cell by cell, as the grader does, twice per
repeat: once with the course's libraries preloaded (what grading does: the start-up is paid
before the first cell's clock starts) and once without (the start-up lands in the first cell
that imports them). Prints the median start and the slowest cell of each, next to the cell
time limit. No tests run and nothing is written.
"""

import argparse
import json
import statistics
import time

from featuremaps import grading
from featuremaps.grading import common, runner
from featuremaps.grading.sandbox import Limits, Worker, choose_mode


def time_cells(nb: dict, preload: tuple) -> tuple[float, float, str]:
    """(start seconds, slowest cell seconds, that cell's first line)."""
    worker = Worker(choose_mode("auto"), Limits(), common.OUTPUT_LIMIT, preload=preload)
    start = time.monotonic()
    worker.start()
    started = time.monotonic() - start
    session = runner.Session(worker, time.monotonic() + common.SUBMISSION_TIMEOUT, common.SUBMISSION_TIMEOUT)
    slowest, which = 0.0, ""
    try:
        for cell in nb["cells"]:
            if cell["cell_type"] != "code" or common.check_question(cell):
                continue
            source = runner.GRADER_STAND_IN if common.is_grader_setup(cell) else common.cell_source(cell)
            begin = time.monotonic()
            session.run_cell(source)
            if time.monotonic() - begin > slowest:
                slowest, which = time.monotonic() - begin, source.strip().splitlines()[0][:50]
    finally:
        worker.stop()
    return started, slowest, which


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assignment", default="03-reading-the-maps")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    nb = json.loads((grading.DIST_DIR / "solutions" / f"{args.assignment}.ipynb").read_text())
    preload = runner.preload_of(c for c in nb["cells"] if c["cell_type"] == "code")
    runs = {"preloaded": [], "not preloaded": []}
    for _ in range(args.repeat):  # alternated, so both see the same machine
        runs["preloaded"].append(time_cells(nb, preload))
        runs["not preloaded"].append(time_cells(nb, ()))
    print(f"{args.assignment}, {args.repeat} runs each, medians; cell time limit {common.CELL_TIMEOUT} s")
    print(f"preloaded: {', '.join(preload)}")
    for label, rows in runs.items():
        start = statistics.median(r[0] for r in rows)
        slowest = statistics.median(r[1] for r in rows)
        print(f"{label:>14}: start {start:5.1f} s, slowest cell {slowest:5.1f} s ({rows[0][2]!r})")


if __name__ == "__main__":
    main()
