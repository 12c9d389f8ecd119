"""Written answers: the questions marked by hand, their rubrics, and what each student wrote.

A question whose answer is prose is an otter ``manual: true`` question: it has no tests, so
the autograder knows nothing of it and the automatic score never counts it. ``generate``
writes its prompt, points and rubric (the solution's markdown) into
``dist/autograder/NAME-written.json``; grading reads each submission's answer as text (the
notebook file, parsed as JSON, never run) and puts it beside the rubric in
``OUT/by-hand/<student>.md``, for the instructor to mark.

In a student copy, otter opens each manual question's prompt with ``<!-- BEGIN QUESTION -->``
and closes it with ``<!-- END QUESTION -->`` in the markdown that follows; what lies between
the two (after the prompt) is the answer.
"""

from __future__ import annotations

import json
from pathlib import Path

from featuremaps.grading.common import ANSWER_TAG, cell_source, natural

BEGIN_MARK = "<!-- BEGIN QUESTION -->"
END_MARK = "<!-- END QUESTION -->"
PLACEHOLDER = "_Type your answer here, replacing this text._"
ANSWER_LIMIT = 4_000  # characters of one written answer shown to the instructor


def rubric_path(dist: Path | str, name: str) -> Path:
    """Where ``generate`` keeps an assignment's written questions: beside its autograder."""
    return Path(dist) / "autograder" / f"{name}-written.json"


def written_questions(source_nb) -> dict[str, dict]:
    """{question: {"points", "prompt", "rubric"}} of the manual questions of an otter source notebook."""
    import yaml

    questions, current, block = {}, None, None
    for cell in source_nb.cells:
        text = cell_source(cell)
        first = text.strip().splitlines()[0].strip().lower() if text.strip() else ""
        if cell.cell_type == "raw":
            if first.startswith("# begin question"):
                config = yaml.safe_load(text.strip().split("\n", 1)[1]) if "\n" in text.strip() else {}
                config = config if isinstance(config, dict) else {}
                if config.get("manual"):
                    current = {"points": float(config.get("points") or 0), "prompt": "", "rubric": ""}
                    questions[str(config["name"])] = current
                block = "prompt"
            elif first.startswith("# begin solution"):
                block = "solution"
            elif first.startswith("# end question"):
                current, block = None, None
            elif first.startswith("# end"):
                block = "prompt"
            continue
        if current is not None and cell.cell_type == "markdown":
            key = "rubric" if block == "solution" else "prompt"
            current[key] = (current[key] + "\n\n" + text.strip()).strip()
    return questions


def write_rubrics(source_nb, path: Path) -> None:
    """Write the source's written questions to ``path``, or remove ``path`` if it has none."""
    questions = written_questions(source_nb)
    if questions:
        path.write_text(json.dumps(questions, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    else:
        path.unlink(missing_ok=True)


def load_rubrics(dist: Path | str, name: str) -> dict[str, dict]:
    """The written questions ``generate`` recorded for assignment ``name`` ({} if it has none)."""
    path = rubric_path(dist, name)
    if not path.exists():
        return {}
    questions = json.loads(path.read_text(encoding="utf-8"))
    return dict(sorted(questions.items(), key=lambda kv: natural(kv[0])))


def shown(text: str, limit: int = ANSWER_LIMIT) -> str:
    """A student's text made safe to show: printable, capped."""
    text = "".join(ch if ch.isprintable() or ch in "\n\t" else "?" for ch in str(text))
    return text if len(text) <= limit else text[:limit] + " [...]"


def written_answers(nb, questions: list[str]) -> dict[str, str | None]:
    """{question: what the student wrote, or None} for the manual questions, in order, of a submission.

    The k-th ``BEGIN QUESTION`` mark opens the k-th manual question; the markdown cells after
    its prompt, up to the ``END QUESTION`` mark, are the answer (the placeholder left alone is
    no answer). Only text is read: nothing of the notebook runs.
    """
    blocks: list[list[str]] = []
    inside = False
    for cell in nb.get("cells", []):
        text = cell_source(cell)
        if cell.get("cell_type") != "markdown":
            continue
        if BEGIN_MARK in text:
            blocks.append([])
            inside = True
            continue
        if not inside:
            continue
        before_end = text.split(END_MARK, 1)[0]
        tags = cell.get("metadata", {}).get("tags", [])
        if before_end.strip() and (ANSWER_TAG in tags or END_MARK not in text):
            blocks[-1].append(before_end.strip())
        if END_MARK in text:
            inside = False
    answers = {}
    for k, question in enumerate(questions):
        parts = [p for p in (blocks[k] if k < len(blocks) else []) if p.strip() != PLACEHOLDER]
        answers[question] = shown("\n\n".join(parts)) if parts else None
    return answers


def hand_marking_text(student: str, assignment: str, questions: dict[str, dict],
                      answers: dict[str, str | None]) -> str:
    """What the instructor reads for one submission: each written question, its rubric, the answer."""
    lines = [f"# To mark by hand: {student}", "", f"Assignment: {assignment}", ""]
    for question, info in questions.items():
        answer = answers.get(question)
        lines += [f"## {question}: __ / {info['points']:g}", "", "### The question", "", info["prompt"], "",
                  "### Rubric (from the solutions)", "", info["rubric"], "", "### The student's answer", ""]
        if answer is None:
            lines += ["(no answer written: the cell still holds the placeholder, or was deleted)", ""]
        else:
            lines += ["\n".join("> " + line if line else ">" for line in answer.splitlines()), ""]
    return "\n".join(lines)


def feedback_lines(questions: dict[str, dict]) -> str:
    """The feedback file's note on the written questions: not in the score yet."""
    lines = []
    for question, info in questions.items():
        lines += ["", f"{question}: to be marked by hand ({info['points']:g} points, not in the score above)"]
    return "\n".join(lines) + "\n" if lines else ""


def to_mark(questions: dict[str, dict]) -> str:
    """The CSV's ``to_mark_by_hand`` cell: ``q5 (4 points)``, or empty."""
    return "; ".join(f"{q} ({info['points']:g} points)" for q, info in questions.items())


__all__ = ["BEGIN_MARK", "END_MARK", "PLACEHOLDER", "feedback_lines", "hand_marking_text", "load_rubrics",
           "rubric_path", "shown", "to_mark", "write_rubrics", "written_answers", "written_questions"]
