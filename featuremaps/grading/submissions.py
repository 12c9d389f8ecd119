"""What was handed in: reading it safely, telling which assignment it is, how its cells moved.

Nothing here runs the submission: it is read as JSON, by the trusted side.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from featuremaps.grading.common import (
    ANSWER_TAG,
    GradingError,
    cell_source,
    check_question,
    is_grader_setup,
    question_of_cells,
)

ZIP_MAGIC, PDF_MAGIC = b"PK\x03\x04", b"%PDF"


def read_submission(path: Path | str):
    """The submission as an nbformat v4 notebook, or GradingError with the reason it is not one."""
    import nbformat

    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise GradingError(f"cannot read the file ({exc.strerror})") from exc
    if not raw.strip():
        raise GradingError("the file is empty (0 bytes of notebook)")
    if raw.startswith(ZIP_MAGIC):
        raise GradingError("not a Jupyter notebook: a zip archive; unpack it and hand in the .ipynb file")
    if raw.startswith(PDF_MAGIC):
        raise GradingError("not a Jupyter notebook: a PDF; hand in the .ipynb file itself, not a printout")
    if path.suffix.lower() != ".ipynb":
        raise GradingError(f"not a Jupyter notebook: a {path.suffix or 'extensionless'} file; "
                           "hand in the .ipynb file")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise GradingError(f"not a Jupyter notebook: the file is not UTF-8 text (byte {exc.start} is "
                           f"0x{raw[exc.start]:02x})") from exc
    try:
        nb = nbformat.reads(text, as_version=4)
    except Exception as exc:  # nbformat raises several kinds for broken JSON
        first_line = (str(exc).strip().splitlines() or [""])[0][:120]
        raise GradingError(f"not a Jupyter notebook: {type(exc).__name__}: {first_line}") from exc
    if not isinstance(nb.get("cells"), list):
        raise GradingError("not a Jupyter notebook: it has no list of cells")
    original = json.loads(text).get("nbformat")
    if isinstance(original, int) and original < 4:  # nbformat converted it; the reason will say so
        nb.metadata["featuremaps_original_nbformat"] = original
    return nb


def examine(path: Path | str):
    """(notebook or None, the reason it cannot be graded or None): what the batch needs before grading."""
    try:
        nb = read_submission(path)
    except GradingError as exc:
        return None, str(exc)
    if not has_code(nb):
        old = nb.metadata.get("featuremaps_original_nbformat")
        hint = (f" (it is in the old notebook format version {old}: open it in Jupyter, check the answers are "
                "there, and save it again)") if old else " (a blank notebook, or the wrong file?)"
        return nb, "the notebook has no code: nothing to grade" + hint
    return nb, None


def has_code(nb) -> bool:
    """Whether any code cell has something in it (a blank notebook has nothing to grade)."""
    return any(c.get("cell_type") == "code" and cell_source(c).strip() for c in nb.get("cells", []))


def assignment_of(nb) -> str | None:
    """The assignment name otter wrote into the notebook's metadata, if any."""
    name = nb.get("metadata", {}).get("otter", {}).get("assignment_name")
    return name if isinstance(name, str) else None


def check_ids(template) -> dict[str, str]:
    """{cell id: question} of the handed-out copy's check cells."""
    return {c.get("id"): q for c in template.cells if c.get("id") for q in [check_question(c)] if q}


def grader_setup_ids(template) -> set[str]:
    """The ids of the handed-out copy's ``grader = notebook_grader(...)`` cells."""
    return {c.get("id") for c in template.cells if c.get("id") and is_grader_setup(c)}


def _check_of(cell, ids: dict) -> str | None:
    return check_question(cell) or ids.get(cell.get("id"))


def structure_notes(nb, template) -> tuple[list[str], dict[str, list[str]]]:
    """Compare a submission's cells with the student copy: deleted, moved or reordered cells.

    Returns (notes about the whole notebook, {question: notes}). Cells are matched by their
    ids (kept by Jupyter since nbformat 4.5); check cells by their metadata or their id.
    """
    notes, per_question = [], {}
    ids = check_ids(template)
    template_checks = [q for c in template.cells if c.cell_type == "code" for q in [_check_of(c, ids)] if q]
    checks = [q for c in nb.cells if c.get("cell_type") == "code" for q in [_check_of(c, ids)] if q]
    for q in template_checks:
        if q not in checks:
            per_question.setdefault(q, []).append(
                f'its grader.check("{q}") cell is missing, so it was checked at the end of the notebook')
    kept = [q for q in dict.fromkeys(checks) if q in template_checks]
    if kept != [q for q in template_checks if q in kept]:
        notes.append("cells were reordered: the questions are checked in the order " + ", ".join(kept))
    template_owners = question_of_cells(template.cells, ids)
    position = {c.get("id"): i for i, c in enumerate(nb.cells) if c.get("id")}
    check_position = {}
    for i, c in enumerate(nb.cells):
        q = _check_of(c, ids) if c.get("cell_type") == "code" else None
        if q:
            check_position.setdefault(q, i)
    ids_kept = any(c.get("id") in position for c in template.cells if c.get("id"))
    for cell, q in zip(template.cells, template_owners, strict=True):
        if ANSWER_TAG not in cell.get("metadata", {}).get("tags", []) or q is None:
            continue
        if cell.get("id") not in position:
            if ids_kept:
                per_question.setdefault(q, []).append("its answer cell is missing (deleted?)")
        elif q in check_position and position[cell["id"]] > check_position[q]:
            per_question.setdefault(q, []).append(
                "its answer cell was moved below its check cell, so the check ran before the answer")
    if not ids_kept:
        notes.append("no cell of the handed-out notebook was found by id (cells pasted into a new notebook?)")
    return notes, per_question


def guess_assignment(path: Path, nb, known: list[str]) -> tuple[str | None, str | None]:
    """(assignment, how it was told): from the notebook's otter metadata, else from the file name."""
    if nb is not None and assignment_of(nb) in known:
        return assignment_of(nb), "metadata"
    stem = path.name.lower()
    for name in known:  # e.g. "alice-01-convolution-by-hand.ipynb" or "alice_a01.ipynb"
        if name in stem or re.search(rf"(^|[^0-9]){name[:2]}([^0-9]|$)", stem):
            return name, "file name"
    return None, None


def submission_files(folder: Path | str) -> list[Path]:
    """Every file in ``folder`` and its sub-folders, skipping hidden ones and checkpoints."""
    folder = Path(folder)
    if not folder.is_dir():
        raise GradingError(f"{folder} is not a folder of submissions")
    files = []
    for path in sorted(folder.rglob("*")):
        parts = path.relative_to(folder).parts
        if path.is_file() and not any(p.startswith(".") or p == "__pycache__" for p in parts):
            files.append(path)
    return files


def _student_id(path: Path, folder: Path) -> str:
    rel = path.relative_to(folder).with_suffix("")
    return re.sub(r"[^A-Za-z0-9._-]+", "_", "__".join(rel.parts)) or "submission"


def student_ids(files: list[Path], folder: Path) -> list[str]:
    """One id per file, unique: two files that map to one id ('a b.ipynb', 'a_b.ipynb') get -2, -3..."""
    ids, seen = [], {}
    for path in files:
        base = _student_id(path, folder)
        seen[base] = seen.get(base, 0) + 1
        ids.append(base if seen[base] == 1 else f"{base}-{seen[base]}")
    return ids

