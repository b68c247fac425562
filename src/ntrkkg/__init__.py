"""ntrkkg: a cited, validated, reasoned knowledge graph of NTRK fusion-positive sarcomas.

>>> import ntrkkg
>>> rows = ntrkkg.query("SELECT ?g WHERE { ?g a <https://w3id.org/ntrkkg/ontology#Gene> }")
>>> ds = ntrkkg.dataset()      # rdflib Dataset: asserted and inferred named graphs
>>> store = ntrkkg.open_store()  # pyoxigraph Store
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("ntrkkg")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0"

from ntrkkg.build import BuildError, BuildResult, build_dataset, dataset_version, write_build
from ntrkkg.store import dataset, open_store, query

__all__ = [
    "BuildError",
    "BuildResult",
    "__version__",
    "build_dataset",
    "dataset",
    "dataset_version",
    "open_store",
    "query",
    "write_build",
]
