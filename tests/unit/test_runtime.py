"""What the package asks of the Python it runs in, and the files it carries."""

import subprocess
import sys

import pytest

from featuremaps import data
from featuremaps import model as fm
from featuremaps.support import bundled_files, glue, runtime


def test_this_environment_has_no_problems():
    assert runtime.problems() == []


def test_the_needed_versions_are_the_package_metadata_lower_bounds():
    import tomllib

    from packaging.requirements import Requirement

    project = tomllib.loads((bundled_files.CLONE_ROOT / "pyproject.toml").read_text())["project"]
    bounds = {Requirement(line).name: str(Requirement(line).specifier) for line in project["dependencies"]}
    assert {name: f">={lowest}" for name, (lowest, _) in runtime.NEEDED.items()} == \
        {name: bounds[name] for name in runtime.NEEDED}


@pytest.mark.parametrize("version, release", [("3.15.1", (3, 15, 1)), ("8.1.0rc1", (8, 1, 0)), ("2", (2,))])
def test_release_numbers(version, release):
    assert runtime._release(version) == release


@pytest.mark.parametrize("package, version, needed", [("keras", "2.15.0", "Keras 3"), ("keras", "3.4.1", "Keras 3"),
                                                      ("ipywidgets", "7.6.5", "ipywidgets 7.7 or 8")])
def test_an_old_keras_or_ipywidgets_gets_one_message_naming_the_version(monkeypatch, package, version, needed):
    real = runtime.installed_version
    monkeypatch.setattr(runtime, "installed_version", lambda name: version if name == package else real(name))
    (problem,) = runtime.problems()
    lowest = runtime.NEEDED[package][0]
    assert needed in problem and f"{package} {version}" in problem and f"'{package}>={lowest}'" in problem
    with pytest.raises(runtime.RuntimeProblem, match=needed):
        runtime.check()


def test_a_missing_package_is_named(monkeypatch):
    monkeypatch.setattr(runtime, "installed_version", lambda name: None if name == "ipywidgets" else "9.0")
    (problem,) = runtime.problems()
    assert problem == "ipywidgets 7.7 or 8 (the activation browser) is not installed: `pip install 'ipywidgets>=7.7'`."


def test_a_missing_or_other_backend_is_named(monkeypatch):
    monkeypatch.setattr(runtime, "find_spec", lambda name: None)
    (problem,) = runtime.problems()
    assert "TensorFlow, is not installed" in problem and "tensorflow>=2.16.1" in problem
    monkeypatch.setenv("KERAS_BACKEND", "jax")
    (problem,) = runtime.problems()
    assert "KERAS_BACKEND is 'jax'" in problem


def test_an_old_tensorflow_gets_one_message_naming_the_version(monkeypatch):
    real = runtime.installed_version
    monkeypatch.setattr(runtime, "installed_version",
                        lambda name: "2.15.1" if name in runtime.BACKEND_DISTRIBUTIONS else real(name))
    (problem,) = runtime.problems()
    assert "TensorFlow 2.16.1 or newer" in problem and "has 2.15.1" in problem and "'tensorflow>=2.16.1'" in problem


def test_the_backend_lowest_version_is_the_tensorflow_extra_bound():
    import tomllib

    project = tomllib.loads((bundled_files.CLONE_ROOT / "pyproject.toml").read_text())["project"]
    assert project["optional-dependencies"]["tensorflow"] == [f"tensorflow>={runtime.BACKEND_LOWEST}"]


def test_the_version_in_use_is_the_imported_one(monkeypatch):
    """After a pip upgrade in a running kernel, the old module is still the one in use."""
    fake = type(sys)("ipywidgets")
    fake.__version__ = "7.7.1"
    monkeypatch.setitem(sys.modules, "ipywidgets", fake)
    assert runtime.installed_version("ipywidgets") == "7.7.1"


def test_install_command_for_a_clone_is_editable():
    assert runtime.install_command() == "pip install -e ."


def test_bundled_files_are_inside_the_package():
    for path in (data.BUNDLED_FILE, fm.MODEL_FILE, fm.info_file(fm.MODEL_FILE)):
        assert path.is_file() and path.parent == bundled_files.PACKAGE_DIR / "bundled"


def test_restore_hints_fit_a_clone_and_an_installed_package(monkeypatch):
    assert "git checkout -- featuremaps/bundled/" in bundled_files.restore_hint("make data")
    monkeypatch.setattr(bundled_files, "in_clone", lambda: False)
    hint = bundled_files.restore_hint("make data")
    assert "--force-reinstall --no-deps" in hint and "git" not in hint.split("Reinstall")[0]


def test_glue_does_nothing_without_myst_nb(monkeypatch):
    recorded = []
    monkeypatch.setattr(glue, "_myst_glue", lambda *args, **kw: recorded.append((args, kw)))
    glue.glue("answer", 42)
    assert recorded == [(("answer", 42), {"display": False})]
    monkeypatch.setattr(glue, "_myst_glue", None)
    assert glue.glue("answer", 42) is None


def test_no_chapter_imports_myst_nb():
    chapters = sorted((bundled_files.CLONE_ROOT / "chapters").glob("*.ipynb"))
    assert chapters and not [p.name for p in chapters if "myst_nb" in p.read_text()]


def test_tensorflow_logging_is_set_in_one_place():
    """Only featuremaps.support.runtime names TensorFlow's logging variables."""
    name = "TF_CPP_" + "MIN_LOG_LEVEL"  # spelt in two parts, so this file is not a match itself
    out = subprocess.run(["git", "grep", "-l", name], cwd=bundled_files.CLONE_ROOT,
                         capture_output=True, text=True)
    if out.returncode not in (0, 1):
        pytest.skip("not a git checkout")
    assert out.stdout.split() == ["featuremaps/support/runtime.py"]


def test_on_colab_the_custom_widget_manager_is_turned_on(monkeypatch):
    """Colab renders ipywidgets 8 only with its custom widget manager (google.colab.output)."""
    calls = []
    google, colab, output = type(sys)("google"), type(sys)("google.colab"), type(sys)("google.colab.output")
    output.enable_custom_widget_manager = lambda: calls.append("enabled")
    colab.output, google.colab = output, colab
    monkeypatch.setitem(sys.modules, "google", google)
    monkeypatch.setitem(sys.modules, "google.colab", colab)
    monkeypatch.setitem(sys.modules, "google.colab.output", output)
    runtime.check()
    assert calls == ["enabled"]


def test_elsewhere_nothing_is_turned_on(monkeypatch):
    monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    runtime.enable_colab_widgets()  # no google.colab: nothing to import, nothing to fail
