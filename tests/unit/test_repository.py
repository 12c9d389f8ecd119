"""Checks of the repository itself: pins in one place, notebooks committed clean."""

import json
import re
import subprocess

import pytest
import reading  # noqa: E402  (book/reading.py: the reading budget, shared with benchmarks/reading_budget.py)
from site_facts import ROOT, toc_pages  # noqa: E402

PIN = re.compile(r"^([A-Za-z0-9_.\-\[\]]+)\s*==\s*([^\s#;]+)")


def read_pins(lines):
    pins = {}
    for line in lines:
        line = line.strip()
        if not line or line.startswith("#") or line.startswith("-"):
            continue
        match = PIN.match(line)
        assert match, f"not an exact pin: {line!r}"
        pins[re.sub(r"[-_.]+", "-", match.group(1).split("[")[0]).lower()] = match.group(2)
    return pins


def environment_pip_lines():
    text = (ROOT / "environment.yml").read_text()
    block = text.split("- pip:", 1)[1]
    return [line.strip()[2:].strip() for line in block.splitlines() if line.strip().startswith("- ")]


def test_requirements_are_all_exact_pins():
    pins = read_pins((ROOT / "requirements.txt").read_text().splitlines())
    for name in ("tensorflow-cpu", "keras", "jupyter-book", "nbval", "ipywidgets", "jupyterlab", "matplotlib"):
        assert name in pins, f"{name} is not pinned in requirements.txt"
    assert pins["tensorflow-cpu"] == "2.21.0" and pins["jupyter-book"] == "1.0.4.post1"
    assert pins["nbval"] == "0.11.0" and pins["keras"].startswith("3.15.")


def test_environment_yml_installs_the_same_pins():
    """environment.yml may pin a package itself only if it agrees with requirements.txt."""
    lines = environment_pip_lines()
    assert "-r requirements.txt" in lines, "environment.yml must install requirements.txt"
    requirements = read_pins((ROOT / "requirements.txt").read_text().splitlines())
    own = read_pins(line for line in lines if not line.startswith("-"))
    disagree = {name: (version, requirements.get(name)) for name, version in own.items()
                if requirements.get(name) != version}
    assert not disagree, f"environment.yml and requirements.txt disagree: {disagree}"
    python = re.search(r"^\s*-\s*python=(\S+)", (ROOT / "environment.yml").read_text(), re.M)
    assert python and python.group(1) == "3.11"


def test_the_installed_environment_matches_the_pins():
    from importlib.metadata import PackageNotFoundError, version

    pins = read_pins((ROOT / "requirements.txt").read_text().splitlines())
    wrong = {}
    for name, pinned in pins.items():
        try:
            installed = version(name)
        except PackageNotFoundError:
            installed = None
        if installed != pinned:
            wrong[name] = (pinned, installed)
    assert not wrong, f"installed versions differ from requirements.txt (pinned, installed): {wrong}"


def test_package_json_pins_are_exact_and_locked():
    package = json.loads((ROOT / "package.json").read_text())
    lock = json.loads((ROOT / "package-lock.json").read_text())
    for name, wanted in package["dependencies"].items():
        assert re.fullmatch(r"\d+\.\d+\.\d+", wanted), f"{name}@{wanted} is not an exact version"
        assert lock["packages"][f"node_modules/{name}"]["version"] == wanted


def tracked(pattern):
    out = subprocess.run(["git", "ls-files", pattern], cwd=ROOT, capture_output=True, text=True)
    if out.returncode != 0:
        pytest.skip("not a git checkout")
    return [ROOT / line for line in out.stdout.splitlines()]


def test_committed_notebooks_have_no_outputs():
    notebooks = tracked("*.ipynb")
    assert notebooks, "no notebooks are tracked"
    dirty = []
    for path in notebooks:
        committed = subprocess.run(["git", "show", f"HEAD:{path.relative_to(ROOT)}"], cwd=ROOT,
                                   capture_output=True, text=True)
        text = committed.stdout if committed.returncode == 0 else path.read_text()
        for cell in json.loads(text)["cells"]:
            if cell["cell_type"] == "code" and (cell.get("outputs") or cell.get("execution_count")):
                dirty.append(path.name)
                break
    assert not dirty, f"notebooks committed with outputs (clear them): {dirty}"


def test_every_chapter_is_in_the_table_of_contents():
    pages = toc_pages()
    for path in sorted((ROOT / "chapters").glob("*.ipynb")):
        assert f"chapters/{path.stem}" in pages, f"{path.name} is not in _toc.yml"


CODE_COLUMN = 75  # characters the site's code column holds at a 1280-px window (tests/site/test_code_fits.py)
MAX_CELLS = 40


def chapter_cells():
    for path in sorted((ROOT / "chapters").glob("*.ipynb")):
        yield path, json.loads(path.read_text())["cells"]


def test_every_toc_chapter_exists():
    chapters = [page for page in toc_pages() if page.startswith("chapters/")]
    assert chapters
    for name in chapters:
        assert (ROOT / f"{name}.ipynb").exists(), f"_toc.yml names {name}, which does not exist"


def test_every_cell_has_an_id():
    """nbformat 4.5 requires cell ids; without them every tool that reads the notebook warns."""
    missing = [path.name for path in tracked("*.ipynb")
               if any("id" not in cell for cell in json.loads(path.read_text())["cells"])]
    assert not missing, f"notebooks with cells lacking an id: {missing}"


def shown_cells(cells) -> list:
    """The cells a reader scrolls past: not the collapsed checks (hide-cell) or removed plumbing."""
    return [cell for cell in cells if not {"hide-cell", "remove-cell"} & set(cell["metadata"].get("tags", []))]


def test_every_chapter_is_short():
    long = {path.name: len(shown_cells(cells)) for path, cells in chapter_cells()
            if len(shown_cells(cells)) > MAX_CELLS}
    assert not long, f"chapters over {MAX_CELLS} cells (split them, one idea each): {long}"


def test_every_chapter_core_fits_the_reading_budget():
    # Method detail a reader can skip sits in sections marked "(optional)"; the rest stays short.
    long = {path.name: found["core words"] for path in sorted((ROOT / "chapters").glob("*.ipynb"))
            if (found := reading.page_budget(path))["core words"] > reading.CORE_WORDS}
    assert not long, f"chapters over {reading.CORE_WORDS} words of core prose: {long}"


def test_the_reading_budget_counts_prose_not_code_or_maths():
    cells = [{"cell_type": "markdown", "source": ["Intro words here.\n\n## Core\n", "Two $x + y$ words `code`."]},
             {"cell_type": "code", "source": ["assert True"], "metadata": {}},
             {"cell_type": "markdown", "source": ["## Detail (optional)\n", "Skippable words, four here."]}]
    assert reading.sections(cells) == {"": 3, "Core": 3, "Detail (optional)": 6}  # headings count too
    # The intro's path of about an hour names pages that exist, the answer first.
    assert reading.core_path(ROOT)[0] == "chapters/answer"


def test_the_checks_are_collapsed_under_the_code():
    # A visible code cell shows the idea; its asserts sit in a collapsed (hide-cell) cell, one click away.
    shown = {}
    for path, cells in chapter_cells():
        if path.stem.startswith("00"):  # the set-up check: its checks are the lesson
            continue
        for k, cell in enumerate(shown_cells(cells)):
            tags = set(cell["metadata"].get("tags", []))
            if cell["cell_type"] == "code" and "hide-input" not in tags and re.search(
                    r"^(assert |np\.testing\.assert)", "".join(cell["source"]), re.M):
                shown.setdefault(path.name, []).append(k)
    assert not shown, f"asserts in visible code cells (move them to a hide-cell cell below): {shown}"


def test_chapter_code_fits_the_code_column():
    """Code cells, and code blocks in the prose (exercise solutions), fit without scrolling sideways."""
    wide = []
    for path, cells in chapter_cells():
        for k, cell in enumerate(cells):
            if "remove-cell" in cell.get("metadata", {}).get("tags", []):
                continue
            text = "".join(cell["source"])
            if cell["cell_type"] == "markdown":
                text = "\n".join(re.findall(r"```python\n(.*?)```", text, re.S))
            wide += [f"{path.name} cell {k}: {line!r}" for line in text.splitlines() if len(line) > CODE_COLUMN]
    assert not wide, f"code lines over {CODE_COLUMN} characters:\n" + "\n".join(wide)


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def declared_requirements():
    import tomllib

    from packaging.requirements import Requirement

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    lines = project["dependencies"] + [r for extra in project["optional-dependencies"].values() for r in extra]
    return [Requirement(line) for line in lines]


# The course's environment takes TensorFlow's CPU build; the metadata names the package students have.
SAME_PACKAGE = {"tensorflow": "tensorflow-cpu"}
# Jupyter Book 2 is another program (it downloads its theme at build time): the one upper bound.
UPPER_BOUNDS = {"jupyter-book": "2"}


def test_package_metadata_states_lower_bounds_that_the_pins_satisfy():
    pins = read_pins((ROOT / "requirements.txt").read_text().splitlines())
    for requirement in declared_requirements():
        name = canonical(requirement.name)
        for spec in requirement.specifier:
            assert spec.operator == ">=" or UPPER_BOUNDS.get(name) == spec.version, \
                f"{requirement}: the metadata states lower bounds only"
        pinned = pins.get(name) or pins.get(SAME_PACKAGE.get(name, ""))
        assert pinned, f"{requirement.name} is declared in pyproject.toml but not pinned in requirements.txt"
        assert requirement.specifier.contains(pinned, prereleases=True), \
            f"requirements.txt pins {name}=={pinned}, outside pyproject.toml's {requirement}"


def test_every_direct_pin_is_declared_in_the_package_metadata():
    direct = [canonical(PIN.match(line).group(1)) for line in (ROOT / "requirements.txt").read_text().splitlines()
              if PIN.match(line) and "#" in line]
    declared = {canonical(r.name) for r in declared_requirements()}
    declared |= {SAME_PACKAGE[name] for name in declared if name in SAME_PACKAGE}
    missing = [name for name in direct if name not in declared]
    assert not missing, f"pinned as direct dependencies but not declared in pyproject.toml: {missing}"


def test_the_newest_lock_satisfies_the_metadata_on_a_newer_python():
    text = (ROOT / "requirements-newest.txt").read_text()
    assert re.search(r"Python 3\.1[3-9]", text), "the newest lock is resolved on Python 3.13 or later"
    pins = read_pins(text.splitlines())
    for requirement in declared_requirements():
        name = canonical(requirement.name)
        if name in ("jupyter-book", "jupyterlab"):  # the book and the lab are not part of the portable run
            continue
        assert name in pins, f"requirements-newest.txt lacks {name}: run `make newest-lock`"
        assert requirement.specifier.contains(pins[name], prereleases=True), (name, pins[name])
