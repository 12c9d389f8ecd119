"""A widget's saved state served as a small page on localhost, rendered by the site's own anywidget host
(book/anywidget-host.js) as on the published chapters; and how the benchmarks print timings."""

from __future__ import annotations

import contextlib
import functools
import json
import shutil
import tempfile
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
HOST = ROOT / "book" / "anywidget-host.js"
CHROMIUM = "/usr/bin/chromium"
PAGE = """<!doctype html><html><head><meta charset="utf-8">SCRIPTS</head><body>
<script type="application/vnd.jupyter.widget-state+json">STATE</script>
<script type="application/vnd.jupyter.widget-view+json">{"model_id": "MODEL"}</script>
</body></html>"""


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def served(model_id: str, state: dict, scripts: tuple[Path, ...] = ()) -> Iterator[str]:
    """The URL of a page showing one widget (``state``: its ``get_state()``), with ``scripts`` loaded first."""
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        saved = {"state": {model_id: {"model_module": "anywidget", "model_name": "AnyModel", "state": state}}}
        tags = "".join(f'<script src="{path.name}"></script>' for path in (*scripts, HOST))
        page = PAGE.replace("SCRIPTS", tags).replace("MODEL", model_id)
        (folder / "index.html").write_text(page.replace("STATE", json.dumps(saved).replace("</", "<\\/")))
        for path in (*scripts, HOST):
            shutil.copy(path, folder / path.name)
        server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder)))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}/index.html"
        finally:
            server.shutdown()


def stats(times) -> str:
    t = np.asarray(times)
    return f"median {np.median(t):6.2f} ms, p90 {np.percentile(t, 90):6.2f} ms (n={t.size})"
