"""The first code cell of every chapter and assignment: install the course package where it is missing.

A chapter opened on Colab, Kaggle or a hub, or downloaded from the site, has nothing but
itself, so the cell must carry the install source in its own text. That source is set in
one place, ``_config.yml`` (``repository.url`` and ``repository.branch``: the launch buttons
open the notebook from the same repository and ref). This module writes the cell from it;
``python -m featuremaps.support.setup_cell`` rewrites the notebooks, and a test checks they agree.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

TAG = "course-setup"  # the cell's metadata tag, how the tools recognise it
NO_SOURCE = ("raise RuntimeError(\n"
             "        \"This notebook needs the course package 'featuremaps'. In a \"\n"
             "        \"clone of the course run `make lab`; elsewhere pip install \"\n"
             "        \"it from the course's repository.\")")

TEMPLATE = '''\
# Set-up: the course package. Where it is installed (the course's own
# environment) this does nothing; on Colab, Kaggle or a hub it installs it.
import importlib.util
import subprocess
import sys
import tempfile
from importlib import metadata

COURSE = "{course}"
NEEDS = {needs}
missing = [m for m in NEEDS if importlib.util.find_spec(m) is None]
if missing and not COURSE:
    {no_source}
if missing:
    # TensorFlow only if missing: never replace a preinstalled one.
    has_tensorflow = importlib.util.find_spec("tensorflow") is not None
    extras = {extras} + ([] if has_tensorflow else ["tensorflow"])
    wanted = "featuremaps" + (f"[{{','.join(extras)}}]" if extras else "")
    pip = ["pip", "install", "--quiet", f"{{wanted}} @ {{COURSE}}"]
    # What is installed stays as it is (pip may only add packages),
    # so the runtime never asks for a restart.
    here = {{}}
    for dist in metadata.distributions():
        here.setdefault(dist.metadata["Name"], dist.version)
    with tempfile.NamedTemporaryFile("w", suffix=".txt",
                                     delete=False) as keep:
        keep.writelines(f"{{name}}=={{version}}\\n"
                        for name, version in here.items() if name)
    print("Installing", wanted, "from", COURSE, "...")
    if subprocess.run([sys.executable, "-m", *pip,
                       "-c", keep.name]).returncode:
        raise RuntimeError(
            "Could not install the course package beside this runtime's "
            "packages (offline, or one of them is older than the course "
            "needs: see pip's message above). To install it anyway, "
            "replacing what it must, run "
            + " ".join(pip[:3] + [repr(pip[3])])
            + " and restart the runtime.")
import featuremaps  # noqa: E402,F401  checks versions, quiets TensorFlow
'''


def install_source(url: str, ref: str = "") -> str:
    """The pip source of the package: ``git+URL@ref`` for a repository, a wheel or archive as given, or ''."""
    url = url.strip().rstrip("/")
    if not url:
        return ""
    archive = url.endswith((".whl", ".tar.gz", ".zip"))
    if url.startswith(("http://", "https://", "ssh://", "git@")) or (url.startswith("file://") and not archive):
        return f"git+{url}" + (f"@{ref}" if ref else "")  # a repository, local ones included
    return url


def setup_source(course: str, grading: bool = False) -> str:
    """The cell's text for a chapter (``grading=False``) or an assignment (which also needs otter)."""
    needs = ["featuremaps", "otter"] if grading else ["featuremaps"]
    extras = ["grading"] if grading else []
    # JSON lists: the double quotes the rest of the cell uses.
    return TEMPLATE.format(course=course, needs=json.dumps(needs), extras=json.dumps(extras), no_source=NO_SOURCE)


def cell(course: str, grading: bool = False) -> dict:
    """The cell as nbformat JSON, tagged so the site hides it (it is plumbing) and tools find it."""
    return {"cell_type": "code", "execution_count": None, "id": TAG,
            "metadata": {"tags": ["remove-cell", TAG]}, "outputs": [],
            "source": setup_source(course, grading).splitlines(keepends=True)}


def configured_source(root: Path) -> str:
    """The install source that ``_config.yml`` sets (its ``repository`` block)."""
    import yaml

    repository = yaml.safe_load((root / "_config.yml").read_text()).get("repository") or {}
    return install_source(repository.get("url") or "", repository.get("branch") or "")


def first_code_index(nb: dict) -> int | None:
    for index, item in enumerate(nb["cells"]):
        if item["cell_type"] == "code":
            return index
    return None


def with_setup_cell(nb: dict, course: str, grading: bool) -> dict:
    """``nb`` with the set-up cell right after its title: the first code cell (replaced if present)."""
    cells = [c for c in nb["cells"] if TAG not in c.get("metadata", {}).get("tags", [])]
    kinds = [c["cell_type"] for c in cells]
    # After the title (an otter source keeps its config cell first), before any other code.
    at = kinds.index("markdown") + 1 if "markdown" in kinds else len(cells)
    if "code" in kinds:
        at = min(at, kinds.index("code"))
    return {**nb, "cells": cells[:at] + [cell(course, grading)] + cells[at:]}


def notebooks(root: Path) -> list[tuple[Path, bool]]:
    """Every notebook that starts with the cell: the chapters, and the assignment sources (grading)."""
    from featuremaps.grading.authoring import source_notebooks  # the one pattern for an assignment's name

    return ([(p, False) for p in sorted((root / "chapters").glob("*.ipynb"))]
            + [(p, True) for p in source_notebooks(root / "assignments")])


def update(root: Path) -> list[Path]:
    """Rewrite every notebook's set-up cell from ``_config.yml``; returns the files that changed."""
    course, changed = configured_source(root), []
    for path, grading in notebooks(root):
        text = path.read_text(encoding="utf-8")
        new = json.dumps(with_setup_cell(json.loads(text), course, grading), indent=1, ensure_ascii=False) + "\n"
        if new != text:
            path.write_text(new, encoding="utf-8")
            changed.append(path)
    return changed


if __name__ == "__main__":
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path.cwd()
    for path in update(root):
        print(f"updated the set-up cell of {path.relative_to(root)}")
