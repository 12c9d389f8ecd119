"""Execute the chapters the book's cache lacks, on every core at once, before the book build.

Jupyter Book 1 executes notebooks one after the other. Through jupyter-cache's own API
(the cache the book reads, its ``local-parallel`` executor), this runs the stale ones in
parallel first; the build then finds them cached. A chapter that fails here is left out
of the cache, and the build executes it again and reports the error as usual.

    python book/execute_chapters.py [CACHE]     (make book and make catalogs run it)
"""

from __future__ import annotations

import logging
import sys
import time

import yaml
from jupyter_cache import get_cache
from jupyter_cache.executors import load_executor
from site_facts import CACHE, CONFIG, chapter_files


def main() -> int:
    config = yaml.safe_load(CONFIG.read_text())["execute"]
    cache = get_cache(sys.argv[1] if len(sys.argv) > 1 else str(CACHE))
    uris = [str(path) for path in chapter_files()]
    for uri in uris:
        cache.add_nb_to_project(uri)
    stale = cache.list_unexecuted(filter_uris=uris)
    if not stale:
        print("every chapter is in the execution cache")
        return 0
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    print(f"{len(stale)} chapters to execute, one per core at a time", flush=True)
    start = time.perf_counter()
    executor = load_executor("local-parallel", cache=cache, logger=logging.getLogger("execute_chapters"))
    result = executor.run_and_cache(filter_uris=[record.uri for record in stale],
                                    timeout=config.get("timeout", 600), allow_errors=config.get("allow_errors", False))
    print(f"executed {len(result.succeeded)}, failed {len(result.excepted) + len(result.errored)}, "
          f"in {time.perf_counter() - start:.1f} s", flush=True)
    return 0  # the book build reports a failure, with its traceback, when it executes the chapter again


if __name__ == "__main__":
    sys.exit(main())
