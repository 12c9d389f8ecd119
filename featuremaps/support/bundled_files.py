"""The files that ship inside the package: the Fashion-MNIST subset, the trained model, their records.

They live in ``featuremaps/bundled/`` and are read through :mod:`importlib.resources`, so a
chapter finds them the same way in a clone, in a virtual environment and on Colab.
``make data``, ``make model`` and ``make snapshots`` write them there.
"""

from __future__ import annotations

import hashlib
from importlib import resources
from pathlib import Path

from featuremaps.support import runtime

PACKAGE_DIR = Path(__file__).resolve().parents[1]  # featuremaps/
CLONE_ROOT = PACKAGE_DIR.parent


def path(name: str) -> Path:
    """The bundled file ``name`` (pip installs packages unzipped, so this is a real path)."""
    return Path(str(resources.files("featuremaps").joinpath("bundled", *name.split("/"))))


def checksum_file(path: Path | str) -> Path:
    """Every bundled file ``NAME.EXT`` has its SHA-256 beside it in ``NAME.sha256`` (``sha256sum``'s format)."""
    return Path(path).with_suffix(".sha256")


def write_checksum(path: Path | str) -> str:
    """Write ``path``'s checksum file (``make data`` and ``make model`` call this); returns the digest."""
    digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    checksum_file(path).write_text(f"{digest}  {Path(path).name}\n")
    return digest


def checked_bytes(path: Path | str, what: str, error: type[Exception], hint: str) -> bytes:
    """The bytes of a bundled file, after checking them against its checksum file; ``error`` if not."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError as exc:
        raise error(f"The {what} {path} is missing. {hint}") from exc
    try:
        expected = checksum_file(path).read_text().split()[0]
    except (OSError, IndexError) as exc:
        raise error(f"The checksum file {checksum_file(path)} is missing or empty. {hint}") from exc
    digest = hashlib.sha256(raw).hexdigest()
    if digest != expected:
        raise error(f"The {what} {path} is damaged (a partial download or an edit): its SHA-256 is "
                    f"{digest}, not the one in {checksum_file(path).name}. {hint}")
    return raw


def in_clone() -> bool:
    """True when the package is imported from a clone of the course repository."""
    return (CLONE_ROOT / ".git").exists() and (CLONE_ROOT / "pyproject.toml").is_file()


def restore_hint(rebuild: str) -> str:
    """How to get a damaged or missing bundled file back, for a clone or for an installed package."""
    if in_clone():
        return f"Restore it with `git checkout -- featuremaps/bundled/` or rebuild it with `{rebuild}`."
    return ("Reinstall the course package to restore it: "
            f"`{runtime.install_command()} --force-reinstall --no-deps`, then restart the kernel.")
