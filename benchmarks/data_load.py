"""How big the bundled data file is and how long loading it takes (median of repeated loads).

Usage: .venv/bin/python benchmarks/data_load.py [--repeat 15]
"""

import argparse
import statistics
import time

from featuremaps import data


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    times = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        data.load()
        times.append(time.perf_counter() - start)
    size = data.BUNDLED_FILE.stat().st_size
    print(f"file: {data.BUNDLED_FILE.name}, {size:,} bytes ({size / 2**20:.2f} MiB)")
    print(f"load (with SHA-256 check), {args.repeat} runs: median {statistics.median(times) * 1000:.1f} ms, "
          f"max {max(times) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
