"""A cell as Jupyter runs it: one top-level statement after another.

Jupyter keeps what a cell defined before the statement that failed, hung or was
interrupted. The grader does the same by running a cell's top-level statements as
separate requests (:func:`statements`): those that finished are replayed after a restart,
the one that hung is not. The text is only read here (IPython's own transformer turns
magics into Python, ``ast`` splits it); nothing of the student's runs on this side.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

SOURCE_LIMIT = 200_000  # characters of one cell that are split; a longer cell runs whole
GRADER_CALLS = {"check", "check_all", "export"}  # grader.check("q1") and its kin: otter's, never run


@dataclass(frozen=True)
class Statement:
    source: str               # Python (magics already turned into calls), runnable on its own
    grader_call: bool = False  # a bare ``grader.check(...)`` line: the grader's own, skipped


def statements(source: str) -> list[Statement]:
    """The cell's top-level statements in order; the whole cell as one when it cannot be split."""
    from IPython.core.inputtransformer2 import TransformerManager

    whole = [Statement(source)]
    if len(source) > SOURCE_LIMIT:
        return whole
    try:
        python = TransformerManager().transform_cell(source)
        tree = ast.parse(python)
    except (SyntaxError, ValueError, RecursionError, MemoryError, IndexError, TypeError):
        return whole  # the worker runs it and reports the error as Jupyter would
    if len(tree.body) <= 1:
        return [Statement(python, _is_grader_call(tree.body[0]))] if tree.body else whole
    lines = python.splitlines(keepends=True)
    starts, nodes, end = [], [], 0
    for node in tree.body:
        start = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
        if start <= end:  # `a = 1; b = 2` share a line: one statement for the grader
            nodes[-1].append(node)
        else:
            starts.append(start)
            nodes.append([node])
        end = max(end, node.end_lineno or start)
    starts[0] = 1  # comments above the first statement stay with it
    ends = [*starts[1:], len(lines) + 1]
    return [Statement("".join(lines[a - 1:b - 1]), len(group) == 1 and _is_grader_call(group[0]))
            for a, b, group in zip(starts, ends, nodes, strict=True)]


def _is_grader_call(node: ast.stmt) -> bool:
    call = node.value if isinstance(node, ast.Expr) else None
    return (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
            and call.func.attr in GRADER_CALLS and isinstance(call.func.value, ast.Name)
            and call.func.value.id == "grader")
