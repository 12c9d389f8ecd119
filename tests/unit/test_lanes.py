"""The portable run's lanes agree with the package metadata (the lanes themselves run in `make portable`)."""

import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.version import Version
from site_facts import ROOT  # noqa: E402

IMAGES = sorted((ROOT / "tests" / "portable" / "images").glob("*.txt"))
sys.path.insert(0, str(ROOT / "tests" / "portable"))
from images import canonical, read_pins  # noqa: E402  the images' own reading of a package list


def pins(path: Path) -> dict[str, str]:
    return read_pins(path.read_text().splitlines())


def requirements(*extras: str) -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    lines = project["dependencies"] + [line for extra in extras for line in project["optional-dependencies"][extra]]
    return [Requirement(line) for line in lines]


def test_the_lowest_lock_holds_every_lower_bound_exactly():
    locked = pins(ROOT / "requirements-lowest.txt")
    for requirement in requirements("tensorflow", "grading"):
        (bound,) = [spec.version for spec in requirement.specifier if spec.operator == ">="]
        assert Version(locked[canonical(requirement.name)]) == Version(bound), \
            f"{requirement}: requirements-lowest.txt has {locked[canonical(requirement.name)]}; run `make lowest-lock`"


@pytest.mark.parametrize("image", IMAGES, ids=[path.stem for path in IMAGES])
def test_the_runtime_images_satisfy_the_bounds_so_the_set_up_cell_replaces_nothing(image):
    installed = pins(image)
    assert {"tensorflow", "keras", "numpy", "ipywidgets"} <= set(installed), f"{image.name} lacks the key packages"
    for requirement in requirements("tensorflow", "grading"):
        version = installed.get(canonical(requirement.name))
        if version is not None:
            assert requirement.specifier.contains(version), \
                f"{image.stem} ships {requirement.name} {version}, outside pyproject.toml's {requirement}"


def test_every_lane_names_a_package_list_that_exists():
    import run
    assert {lane.packages for lane in run.LANES.values()} >= set(IMAGES) | {ROOT / "requirements-lowest.txt"}
    assert all(lane.packages.is_file() for lane in run.LANES.values())
