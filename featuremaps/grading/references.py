"""The course's own answers: code a notebook may not use for the questions that ask for it.

Assignment 01 asks for a convolution written by hand, and the package ships one
(``featuremaps.conv``); a notebook that wraps it would pass every test. The trusted side
reads the notebook's code (never runs it) and finds where it reaches such a module: an
import of it or of one of its functions (from wherever that function is re-exported), a
dotted name through it, or its name in a string (``importlib.import_module("featuremaps.conv")``).
Each question the module answers then scores 0, with the line that reached it as the reason.
Each assignment's **Rules** paragraph names these modules, so students are told in advance.
Where the handed-out copy does not need one, the jail also covers its files with a stub that
raises ``ImportError`` (:func:`covers`), so an import the text does not show fails too.
"""

from __future__ import annotations

import ast
import functools
import importlib
import re
import types

from featuremaps.grading.cells import statements

# {assignment: {module: the questions that ask the student to write what it holds}}
REFERENCES = {
    "01-convolution-by-hand": {"featuremaps.conv": ("q1", "q2", "q3", "q4"),
                               "scipy.signal": ("q1", "q2", "q3", "q4"),
                               "scipy.ndimage": ("q1", "q2", "q3", "q4")},
    "02-layers-and-maps": {"featuremaps.conv": ("q2",), "featuremaps.depth.sizes": ("q2",)},
    "03-reading-the-maps": {"featuremaps.depth.selectivity": ("q2", "q3", "q4")},
    "04-how-many-maps": {"featuremaps.conv": ("q2",), "featuremaps.depth.sizes": ("q2",)},
}
# {assignment: the modules of REFERENCES the jail covers with a stub that raises ImportError}: those the
# handed-out copy never needs (featuremaps.model imports featuremaps.conv, so assignments 2 and 4 keep it).
COVERED = {
    "01-convolution-by-hand": ("featuremaps.conv",),
    "02-layers-and-maps": ("featuremaps.depth.sizes",),
    "03-reading-the-maps": ("featuremaps.depth.selectivity",),
    "04-how-many-maps": ("featuremaps.depth.sizes",),
}
OURS = "featuremaps"  # only the course's own modules are imported here, to see where a name comes from


def reached(sources: list[str], modules) -> dict[str, str]:
    """{module: the first line of ``sources`` that reaches it} for each of ``modules`` reached."""
    found: dict[str, str] = {}
    aliases: dict[str, str] = {}  # `import featuremaps as fm` in one cell, `fm.conv` in another
    for source in sources:
        for part in statements(source):
            for module, line in _reaches(part.source, tuple(modules), aliases):
                found.setdefault(module, line)
    return found


def penalties(assignment: str, sources: list[str]) -> dict[str, str]:
    """{question: why it scores 0} for a notebook of ``assignment`` whose code cells are ``sources``."""
    table = REFERENCES.get(assignment, {})
    why: dict[str, str] = {}
    for module, line in reached(sources, table).items():
        for q in table[module]:
            why.setdefault(q, f"the notebook uses {module} (`{line}`), the course's own code for what this "
                              "question asks you to write; no points for it")
    return why


def _reaches(source: str, modules: tuple[str, ...], aliases: dict[str, str]):
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        tree = None
    if tree is None:  # text the worker cannot run either; a plain search is all there is
        for module in modules:
            if module in source:
                yield module, _line_with(source, module)
        return
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            aliases.update({a.asname: a.name for a in node.names if a.asname})
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            aliases.update({a.asname or a.name: f"{node.module}.{a.name}" for a in node.names})
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
        elif isinstance(node, ast.Attribute):
            dotted = _dotted(node)
            if dotted:
                head, _, rest = dotted.partition(".")
                names = [f"{aliases[head]}.{rest}" if head in aliases else dotted]
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value.replace("/", ".")
            names = [m for m in modules if re.search(rf"(?<![\w]){re.escape(m)}(?!\w)", text)]
        for name in names:
            for module in modules:
                if _within(name, module) or _home(name) and _within(_home(name), module):
                    yield module, _line_of(source, node)


def _within(name: str, module: str) -> bool:
    return name == module or name.startswith(module + ".")


def _dotted(node: ast.Attribute) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return ".".join([node.id, *reversed(parts)])


@functools.lru_cache(maxsize=4096)
def _home(name: str) -> str | None:
    """Where a dotted name of the course's package is defined: ``featuremaps.depth.fields.output_size``
    is ``featuremaps.conv.output_size``. Only the course's own modules are imported to find out."""
    if not _within(name, OURS):
        return None
    parts = name.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            value = importlib.import_module(".".join(parts[:cut]))
        except Exception:
            continue
        for attr in parts[cut:]:
            value = getattr(value, attr, None)
        if isinstance(value, types.ModuleType):
            return value.__name__
        module = getattr(value, "__module__", None)
        return f"{module}.{parts[-1]}" if isinstance(module, str) else None
    return None


def _line_of(source: str, node) -> str:
    lines = source.splitlines()
    number = getattr(node, "lineno", 1)
    return lines[number - 1].strip()[:120] if 0 < number <= len(lines) else ""


def _line_with(source: str, text: str) -> str:
    return next((line.strip()[:120] for line in source.splitlines() if text in line), "")


def covers(modules) -> list[dict]:
    """[{"path", "text"}]: each module's source and compiled files, and the stub the jail puts over them."""
    import glob
    import importlib.util
    import os

    out = []
    for module in modules:
        spec = importlib.util.find_spec(module)
        if spec is None or not spec.origin or not spec.origin.endswith(".py"):
            continue
        text = (f"raise ImportError({module!r} ' is the course\\'s own code for what this assignment asks you "
                "to write; it is not available while grading')\n")
        stem = os.path.splitext(os.path.basename(spec.origin))[0]
        compiled = glob.glob(os.path.join(os.path.dirname(spec.origin), "__pycache__", f"{stem}.*.pyc"))
        out += [{"path": path, "text": text} for path in [spec.origin, *sorted(compiled)]]
    return out
