"""Where the curated inputs live: beside the package when installed, else in the checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGED = Path(__file__).resolve().parent / "_resources"
_CHECKOUT = Path(__file__).resolve().parents[2]

INPUT_DIRS = ("ontology", "data", "shapes", "queries")


def _is_checkout(root: Path) -> bool:
    project = root / "pyproject.toml"
    return project.is_file() and 'name = "ntrkkg"' in project.read_text(encoding="utf-8")


def resource_dir(name: str) -> Path:
    """The folder of one kind of input (``ontology``, ``data``, ``shapes`` or ``queries``).

    An installed wheel carries its own copy; an editable install reads the checkout it came from
    (and never a stray ``data/`` that merely sits near the installed package).
    """
    if name not in INPUT_DIRS:
        raise ValueError(f"unknown resource folder {name!r}")
    if (_PACKAGED / name).is_dir():
        return _PACKAGED / name
    if _is_checkout(_CHECKOUT) and (_CHECKOUT / name).is_dir():
        return _CHECKOUT / name
    raise FileNotFoundError(f"no {name}/ folder in the package or in the ntrkkg checkout")


def turtle_files(folder: Path) -> list[Path]:
    """Every Turtle file below ``folder``, in a stable order."""
    return sorted(folder.rglob("*.ttl"))
