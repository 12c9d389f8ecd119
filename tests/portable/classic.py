"""The widgets in the front end closest to Colab's that runs offline: the classic Notebook, with the image's ipywidgets.

Colab's runtime has ipywidgets 7.7.1, whose front end is not JupyterLab 4's. The portable run's
image lanes (``run.py``) start the classic Notebook from the lane's own environment, run chapter 0
and chapter 4 in it through Chromium, and check what a student sees: no widget error, chapter 0's
slider moves its picture stack, and the activation browser draws its maps and follows its own
depth slider.

    python tests/portable/classic.py VENV_PYTHON     # by hand, on a lane's environment
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))
from guard import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

NOTEBOOKS = ["00-setup-check.ipynb", "04-browsing-activations.ipynb"]
# What the classic front end shows when a widget cannot be drawn.
WIDGET_ERRORS = r"/Error displaying widget|Failed to display Jupyter Widget|Error rendering Jupyter widget|" \
                r"Could not create a model|Class .* not found|Traceback/"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_notebook(venv: Path, folder: Path, port: int, token: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"} | {"JUPYTER_CONFIG_DIR": str(folder / ".jupyter")}
    server = subprocess.Popen([str(venv), "-m", "notebook", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
                               f"--NotebookApp.token={token}", f"--notebook-dir={folder}"]
                              + (["--allow-root"] if os.geteuid() == 0 else []),
                              cwd=folder, env=env, stdout=subprocess.DEVNULL, stderr=open(folder / "server.log", "w"))
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status?token={token}", timeout=2)
            return server
        except OSError:
            if server.poll() is not None:
                break
            time.sleep(1)
    server.kill()
    raise RuntimeError(f"the classic Notebook did not start: {(folder / 'server.log').read_text()[-2000:]}")


def run_all(page, base: str, name: str, token: str, timeout_s: float = 300) -> None:
    page.goto(f"{base}/notebooks/{name}?token={token}", wait_until="domcontentloaded")
    page.wait_for_function("() => window.Jupyter && Jupyter.notebook && Jupyter.notebook.kernel "
                           "&& Jupyter.notebook.kernel.is_connected()", timeout=90_000)
    # The widget manager restores its state when the kernel connects; a cell run before that is over
    # can lose its widget's display (the output stays empty), which a student clicking Run never meets.
    page.wait_for_timeout(5000)
    page.evaluate("() => Jupyter.notebook.execute_all_cells()")
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        page.wait_for_timeout(1000)
        waiting = page.evaluate("""() => [...document.querySelectorAll('.input_prompt')]
                                           .some(p => p.textContent.includes('*'))""")
        if not waiting and page.evaluate("() => Jupyter.notebook.kernel_busy === false "
                                         "|| document.querySelector('#kernel_indicator_icon.kernel_idle_icon')"):
            return
    raise AssertionError(f"{name}: Run All did not finish within {timeout_s} s in the classic Notebook")


def errors_shown(page) -> list[str]:
    return page.evaluate(f"""() => [...document.querySelectorAll('.output_area, .output_subarea')]
        .map(e => e.textContent).filter(t => {WIDGET_ERRORS}.test(t)).map(t => t.slice(0, 300))""")


def check_chapter_0(page) -> None:
    """The slider picks the class: its handle moved by the keyboard changes the picture stack's choice."""
    stack = page.locator(".fm-class-stack").first
    stack.wait_for(state="visible", timeout=30_000)
    before = stack.inner_html()
    handle = page.locator(".fm-class-slider .ui-slider-handle, .fm-class-slider [role=slider]").first
    handle.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("(before) => document.querySelector('.fm-class-stack').innerHTML !== before",
                           arg=before, timeout=10_000)


def check_chapter_4(page) -> None:
    """The activation browser draws, and its depth slider repaints the maps."""
    browser = page.locator(".fm-browser").first
    browser.wait_for(state="visible", timeout=60_000)
    assert not page.locator(".fm-browser .fm-error:visible").count(), page.locator(".fm-error").first.inner_text()
    pictures = "() => [...document.querySelector('.fm-browser').querySelectorAll('canvas, img')].length"
    page.wait_for_function(f"{pictures} > 0", timeout=30_000)
    before = page.locator(".fm-browser").first.inner_text()  # the layer's name and size, the caption
    page.locator(".fm-browser .fm-depth").first.focus()
    page.keyboard.press("ArrowLeft")
    page.wait_for_function("(before) => document.querySelector('.fm-browser').innerText !== before",
                           arg=before, timeout=10_000)


def check_widgets(venv: Path, work: Path) -> str:
    """'passed', or what failed: chapter 0's and chapter 4's widgets in the classic Notebook of ``venv``."""
    if not Path(CHROMIUM).exists():
        return f"failed: no Chromium at {CHROMIUM} (apt-get install chromium, or set CHROMIUM=)"
    from playwright.sync_api import sync_playwright

    venv = Path(os.path.abspath(venv))  # absolute, not resolved: the venv's own python, not its base
    folder = work / "classic"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for name in NOTEBOOKS:
        shutil.copy(ROOT / "chapters" / name, folder / name)
    port, token = free_port(), secrets.token_hex(16)
    server = start_notebook(venv, folder, port, token)
    base = f"http://127.0.0.1:{port}"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = chromium.new_page(viewport={"width": 1280, "height": 900})
            console: list[str] = []
            page.on("console", lambda message: console.append(f"{message.type}: {message.text}"[:300]))
            # Offline, as the site tests are: nothing but the local server.
            page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(
                (base, "data:", "blob:")) else route.abort())
            for name, check in zip(NOTEBOOKS, (check_chapter_0, check_chapter_4), strict=True):
                try:
                    run_all(page, base, name, token)
                    errors = errors_shown(page)
                    if errors:
                        return f"failed: {name}: {errors[0]}"
                    check(page)
                except Exception as exc:  # noqa: BLE001  the report names it; the other lanes go on
                    page.screenshot(path=str(work / f"classic-{name}.png"), full_page=True)
                    (work / f"classic-{name}.console.txt").write_text("\n".join(console))
                    return f"failed: {name}: {str(exc).splitlines()[0][:300]} (screenshot: {work}/classic-{name}.png)"
                finally:
                    page.evaluate("() => Jupyter.notebook && Jupyter.notebook.kernel.kill()")
            chromium.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    return "passed"


if __name__ == "__main__":
    print(check_widgets(Path(sys.argv[1]), Path(tempfile.mkdtemp())))
