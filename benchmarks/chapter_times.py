"""Execution time of each chapter in a fresh kernel, as a student runs it (median of several runs).

Usage: .venv/bin/python benchmarks/chapter_times.py [--repeat 3] [chapters/NN-name.ipynb ...]
"""

import argparse
import os
import statistics
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from featuremaps.support import runtime

ROOT = Path(__file__).resolve().parent.parent


def run_once(path: Path) -> float:
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    client.execute()
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    runtime.quiet_tensorflow()  # the kernels inherit it
    notebooks = args.notebooks or sorted((ROOT / "chapters").glob("*.ipynb"))
    print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    for path in notebooks:
        times = [run_once(path) for _ in range(args.repeat)]
        runs = ", ".join(f"{t:.1f}" for t in times)
        print(f"{path.name:40} median {statistics.median(times):6.1f} s   runs: {runs}", flush=True)


if __name__ == "__main__":
    main()
