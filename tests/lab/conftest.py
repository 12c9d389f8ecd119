"""JupyterLab as students use it: a real server on 127.0.0.1 with a token, driven in Chromium.

The notebooks under test are copied to a temporary folder first, so running them never writes outputs
into chapters/. JupyterLab's own calls home (news, update checks) are switched off.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from guard import open_guarded_page
from site_facts import ROOT  # noqa: E402

from featuremaps.support import runtime


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def lab_server(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("lab")
    for notebook in (ROOT / "chapters").glob("*.ipynb"):
        shutil.copy(notebook, workdir / notebook.name)
    token, port = secrets.token_hex(16), free_port()
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(workdir / ".jupyter"), **runtime.TENSORFLOW_QUIET}
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
               f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={workdir}",
               "--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
               "--ServerApp.open_browser=False", "--LabApp.extension_manager=readonly", "--allow-root"]
    log = open(workdir / "lab.log", "w")
    server = subprocess.Popen(command, cwd=workdir, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
            break
        except OSError:
            if server.poll() is not None:
                pytest.fail(f"JupyterLab exited: {(workdir / 'lab.log').read_text()[-2000:]}")
            time.sleep(0.5)
    else:
        server.terminate()
        pytest.fail("JupyterLab did not start within 90 s")
    yield base, token
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
    log.close()


@pytest.fixture
def lab_page(browser, lab_server):
    base, token = lab_server
    context, page, traffic = open_guarded_page(browser, (base, base.replace("http", "ws")))
    page.set_default_timeout(60_000)
    yield page, traffic, base, token
    context.close()
