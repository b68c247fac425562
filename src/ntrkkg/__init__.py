"""ntrkkg: a cited, validated, reasoned knowledge graph of NTRK fusion-positive sarcomas.

>>> import ntrkkg
>>> rows = ntrkkg.query("SELECT ?g WHERE { ?g a ntrkkg:Gene }")  # common prefixes are predeclared
>>> ds = ntrkkg.dataset()        # rdflib Dataset: asserted and inferred named graphs
>>> store = ntrkkg.open_store()  # pyoxigraph Store

Names are imported on first use, so ``import ntrkkg`` stays cheap.
"""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version
from typing import Any

try:
    __version__ = version("ntrkkg")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0"

_LAZY = {
    "BuildError": "ntrkkg.build.pipeline",
    "BuildResult": "ntrkkg.build.pipeline",
    "build_dataset": "ntrkkg.build.pipeline",
    "dataset_version": "ntrkkg.build.pipeline",
    "write_build": "ntrkkg.build.pipeline",
    "NoBuild": "ntrkkg.api",
    "dataset": "ntrkkg.api",
    "open_store": "ntrkkg.api",
    "query": "ntrkkg.api",
    "Settings": "ntrkkg.config",
}

__all__ = ["__version__", *sorted(_LAZY)]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'ntrkkg' has no attribute {name!r}")
