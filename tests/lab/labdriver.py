"""Driving a notebook in JupyterLab through its user interface, as a student would."""

from __future__ import annotations

import re
import tempfile
import time
from pathlib import Path


def open_notebook(page, base: str, token: str, name: str, timeout_s: float = 90) -> None:
    # A workspace of its own, so JupyterLab does not restore notebooks left open by an earlier test.
    workspace = re.sub(r"\W", "-", name)
    page.goto(f"{base}/lab/workspaces/{workspace}/tree/{name}?reset&token={token}", wait_until="domcontentloaded")
    page.locator(".jp-NotebookPanel").first.wait_for(state="visible")
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        # A fresh JupyterLab may ask which kernel to start: take the notebook's own (the default choice).
        accept = page.locator(".jp-Dialog .jp-mod-accept")
        if accept.count() and accept.first.is_visible():
            accept.first.click()
        # The status bar reads e.g. "Python 3 (ipykernel) | Idle" once the kernel is up.
        if page.locator(".jp-StatusBar-Widget").filter(has_text=re.compile(r"ipykernel\) \| Idle")).count():
            return
        page.wait_for_timeout(500)
    raise AssertionError(f"the kernel of {name} did not become idle within {timeout_s} s")


def run_all_cells(page, timeout_s: float = 240) -> None:
    page.locator(".lm-MenuBar-item", has_text="Run").first.click()
    page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
    # Let the run start before asking whether it is over.
    page.locator(".jp-Notebook-ExecutionIndicator[data-status='busy']").wait_for(state="attached", timeout=30_000)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        page.wait_for_timeout(1000)
        if errors_shown(page):
            raise AssertionError(f"a cell failed in JupyterLab: {errors_shown(page)}")
        # The run is over when the kernel is idle again and no cell waits ("[*]").
        busy = page.evaluate("""() => [...document.querySelectorAll('.jp-InputArea-prompt')]
                                      .some(p => p.textContent.includes('*'))""")
        idle = page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").count()
        if idle and not busy:
            return
    page.screenshot(path=str(Path(tempfile.gettempdir()) / "lab-timeout.png"))
    raise AssertionError(f"Run All Cells did not finish within {timeout_s} s (screenshot in the temp folder)")


def errors_shown(page) -> list[str]:
    """Tracebacks and widget failures visible in the notebook."""
    return page.evaluate("""() => {
        const found = [];
        for (const e of document.querySelectorAll('.jp-RenderedText[data-mime-type="application/vnd.jupyter.stderr"]'))
            found.push('stderr: ' + e.textContent.slice(0, 300));
        for (const e of document.querySelectorAll('.jp-OutputArea-output'))
            if (/Error displaying widget|model not found|Traceback/.test(e.textContent))
                found.push(e.textContent.slice(0, 300));
        return found;
    }""")


def visible_image(page, container_selector: str) -> str:
    """The src of the one visible <img> inside the container (widgets draw pictures as blob: URLs)."""
    return page.evaluate("""(sel) => {
        const imgs = [...document.querySelectorAll(sel + ' img')].filter(i => i.offsetParent !== null);
        return imgs.length ? imgs[imgs.length - 1].src : '';
    }""", container_selector)
