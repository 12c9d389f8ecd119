"""What the instructor and the student read: the one-line reason, and the feedback file.

Every message here is the trusted side's own text. What came from the notebook (an
exception's message, a value's repr) is capped and made printable before it gets here.
Hidden tests show their name and the instructor's ``failure_message``; the assertion of a
hidden test is shown only if the instructor wrote it as the test's message.
"""

from __future__ import annotations

from featuremaps.grading.common import TIMEOUT_MARK, natural


def reason(result: dict, points: dict | None = None) -> str:
    """One line for the CSV: the error, the notes, then which questions lost points."""
    parts = []
    if result.get("error"):
        parts.append(result["error"])
    parts += result.get("notes", [])
    for q, notes in sorted(result.get("question_notes", {}).items(), key=lambda kv: natural(kv[0])):
        for note in dict.fromkeys(notes):
            parts.append(f"{q}: {note}")
    questions = result.get("questions", {})
    failed = [q for q, info in questions.items() if info["score"] < info["possible"]]
    for q, info in questions.items():
        if any(TIMEOUT_MARK in t["message"] for t in info["tests"]):
            parts.append(f"{q}: a test hit the time limit")
    if failed and result.get("status") in ("graded", "timeout"):
        parts.append("tests failed in " + ", ".join(sorted(failed, key=natural)) + " (see the feedback file)")
    return "; ".join(dict.fromkeys(parts)) or "ok: every test passed"


def feedback_text(student: str, result: dict, points: dict | None = None) -> str:
    """What the student reads: score, notes, and for each failed test what was expected."""
    points = points or {}
    lines = [f"Assignment: {result.get('assignment') or 'unknown'}", f"Submission: {student}"]
    questions = result.get("questions", {})
    total = sum(info["score"] for info in questions.values())
    possible = sum(points.values()) or sum(info["possible"] for info in questions.values())
    lines.append(f"Score: {total:g} / {possible:g}")
    if result.get("error"):
        lines.append(f"\nNot fully graded: {result['error']}")
    for note in result.get("notes", []):
        lines.append(f"Note: {note}")
    for q in sorted(set(points) | set(questions), key=natural):
        lines.append("")
        lines += question_lines(q, questions.get(q), result.get("question_notes", {}).get(q, []), points.get(q, 0))
    return "\n".join(lines) + "\n"


def question_lines(q: str, info: dict | None, notes: list[str], points: float = 0) -> list[str]:
    """One question's part of the feedback: its score, notes, and what each failed test expected."""
    if info is None:
        return [f"{q}: 0 / {points:g}", *(f"  note: {note}" for note in dict.fromkeys(notes))]
    lines = [f"{q}: {info['score']:g} / {info['possible']:g}", *(f"  note: {note}" for note in dict.fromkeys(notes))]
    for test in info["tests"]:
        if test["passed"]:
            continue
        message = test["message"].replace("❌ Test case failed\n", "").strip()
        if test["hidden"]:  # what was expected, never the hidden test's code
            message = message.splitlines()[-1] if message else ""
        lines.append(f"  - failed: {test['name']}" + (" (hidden test)" if test["hidden"] else ""))
        if test.get("failure_message"):
            lines.append(f"    {test['failure_message']}")
        if message:
            lines.append("    " + message.replace("\n", "\n    "))
    if info["tests"] and all(t["passed"] for t in info["tests"]):
        zeroed = info["possible"] and not info["score"]  # the tests passed on code that is not the student's
        lines.append("  all tests passed" + (", but they score 0: see the note above" if zeroed else ""))
    return lines
