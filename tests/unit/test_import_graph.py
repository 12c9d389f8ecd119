"""No import cycles among the course's own modules: featuremaps/, the site's tooling (book/, book/_ext/),
the benchmarks and the tests' helper modules.

Every import counts, at module level or inside a function: a cycle that only a late import keeps
from failing is still two modules that cannot be read (or tested) apart.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # this test reads files, it imports none of them
PACKAGE = "featuremaps"
# Folders whose modules import each other by bare name (a script's folder, or one put on sys.path).
SCRIPT_FOLDERS = ("book", "book/_ext", "benchmarks", "tests", "tests/site", "tests/portable", "tests/lab",
                  "tests/assignments")


def course_modules(root: Path = ROOT) -> list[Path]:
    """The package's modules, the site's tooling, the benchmarks and the tests' helpers (not test files)."""
    files = sorted((root / PACKAGE).rglob("*.py"))
    for folder in SCRIPT_FOLDERS:
        files += sorted(path for path in (root / folder).glob("*.py") if not path.name.startswith("test_"))
    return [path for path in files if "_vendor" not in path.parts]


def package_module(name: str, root: Path) -> Path | None:
    """The file of a dotted module name inside the package, or None."""
    base = root.joinpath(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def resolve(name: str, importer: Path, root: Path) -> Path | None:
    """The course file an absolute import of `name` from `importer` loads; None for anything else."""
    if name.split(".")[0] == PACKAGE:
        return package_module(name, root)
    if "." in name:
        return None
    # A bare name: the importer's own folder first, then the folders scripts put on sys.path.
    for folder in (importer.parent, *(root / f for f in SCRIPT_FOLDERS)):
        if (folder / f"{name}.py").is_file():
            return folder / f"{name}.py"
    return None


def imports_of(path: Path, root: Path = ROOT) -> set[Path]:
    """The course files a module imports, anywhere in it (module level, functions, conditionals)."""
    package = ".".join(path.relative_to(root).with_suffix("").parts[:-1])
    found: set[Path | None] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(resolve(alias.name, path, root) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: from the importer's package, up level - 1
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, node.module] if node.module else parts)
            else:
                base = node.module or ""
            module = resolve(base, path, root)
            # `from package import name`: name may be a module of its own.
            subs = [package_module(f"{base}.{alias.name}", root) for alias in node.names] if base.startswith(PACKAGE) \
                else []
            found.update(sub for sub in subs if sub is not None)
            if module is not None and not any(subs):
                found.add(module)
    found.discard(None)
    found.discard(path)
    return found  # type: ignore[return-value]


def find_cycle(graph: dict) -> list | None:
    """One cycle of a directed graph (node -> nodes it points to) as [a, b, ..., a], or None."""
    state: dict = {}  # absent: not seen; 1: on the current path; 2: finished, no cycle through it
    path: list = []

    def visit(node):
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ()), key=str):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt):], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph, key=str):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_the_cycle_finder_finds_a_planted_cycle_and_only_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set(), "d": {"a"}}) is None
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"a"}}) == ["a", "a"]
    assert find_cycle({}) is None


def test_imports_inside_functions_count(tmp_path):
    # Two scripts that import each other, one of them only inside a function (the loop this test exists for).
    (tmp_path / "book").mkdir()
    (tmp_path / "book" / "catalogs.py").write_text("def extract():\n    from editions import build\n")
    (tmp_path / "book" / "editions.py").write_text("import catalogs\n")
    graph = {path: imports_of(path, tmp_path) for path in (tmp_path / "book").glob("*.py")}
    cycle = find_cycle(graph)
    assert cycle is not None and {p.name for p in cycle} == {"catalogs.py", "editions.py"}


def test_package_imports_resolve_to_modules(tmp_path):
    package = tmp_path / PACKAGE
    (package / "sub").mkdir(parents=True)
    for name in ("__init__.py", "sub/__init__.py", "sub/a.py", "b.py"):
        (package / name).write_text("")
    (package / "sub" / "a.py").write_text("from .. import b\nfrom featuremaps.sub import a\nimport numpy\n")
    assert imports_of(package / "sub" / "a.py", tmp_path) == {package / "b.py"}
    (package / "b.py").write_text("def late():\n    from featuremaps.sub.a import x\n")
    graph = {path: imports_of(path, tmp_path) for path in package.rglob("*.py")}
    assert find_cycle(graph) is not None


def test_the_course_has_no_import_cycle():
    graph = {path: imports_of(path) for path in course_modules()}
    assert len(graph) > 20, sorted(graph)
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(str(p.relative_to(ROOT)) for p in cycle)
