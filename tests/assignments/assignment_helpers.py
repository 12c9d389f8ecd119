"""Helpers for the assignment tests: notebooks made from the generated copies, the grades CSV."""

import copy
import csv
from pathlib import Path

import nbformat

from featuremaps import grading

NAMES = ["01-convolution-by-hand", "02-layers-and-maps", "03-reading-the-maps", "04-how-many-maps"]
SOLUTION_TAG = "otter_assign_solution_cell"


def answer_cells(nb) -> dict[str, list[int]]:
    """{question: indices of its answer cells} for a student copy or a solutions notebook."""
    owners = grading.question_of_cells(nb.cells)
    cells = {}
    for i, (cell, q) in enumerate(zip(nb.cells, owners, strict=True)):
        tags = cell.get("metadata", {}).get("tags", [])
        if q and (grading.ANSWER_TAG in tags or SOLUTION_TAG in tags):
            cells.setdefault(q, []).append(i)
    return cells


def solutions(dist: Path, name: str):
    return nbformat.read(dist / "solutions" / f"{name}.ipynb", as_version=4)


def student_copy(dist: Path, name: str):
    return nbformat.read(dist / "student" / f"{name}.ipynb", as_version=4)


def with_answers(nb, answers: dict[str, str | None]):
    """A copy of ``nb`` whose answer cell for each question in ``answers`` holds the given code (None: deleted)."""
    nb = copy.deepcopy(nb)
    cells = answer_cells(nb)
    drop = []
    for q, source in answers.items():
        first, *rest = cells[q]
        drop += rest
        if source is None:
            drop.append(first)
        else:
            nb.cells[first].source = source.strip() + "\n"
    nb.cells = [cell for i, cell in enumerate(nb.cells) if i not in drop]
    return nb


def write(nb, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def read_rows(csv_path: Path) -> dict[str, dict]:
    with open(csv_path, newline="") as f:
        return {row["student"]: row for row in csv.DictReader(f)}
