"""ntrkkg: a cited, validated, reasoned knowledge graph of NTRK fusion-positive sarcomas."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("ntrkkg")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0"

from ntrkkg.build import BuildError, BuildResult, build_dataset, write_build
from ntrkkg.store import open_store, query

__all__ = [
    "BuildError",
    "BuildResult",
    "__version__",
    "build_dataset",
    "open_store",
    "query",
    "write_build",
]
