"""Where the curated inputs live: beside the package when installed, else in the checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGED = Path(__file__).resolve().parent / "_resources"
_CHECKOUT = Path(__file__).resolve().parents[2]

INPUT_DIRS = ("ontology", "data", "shapes", "queries")


def resource_dir(name: str) -> Path:
    """The folder of one kind of input (``ontology``, ``data``, ``shapes`` or ``queries``)."""
    if name not in INPUT_DIRS:
        raise ValueError(f"unknown resource folder {name!r}")
    for root in (_CHECKOUT, _PACKAGED):
        candidate = root / name
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"no {name}/ folder beside the package or in the checkout")


def turtle_files(folder: Path) -> list[Path]:
    """Every Turtle file below ``folder``, in a stable order."""
    return sorted(folder.rglob("*.ttl"))
