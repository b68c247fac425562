"""The example queries of ``queries/``: one SIB-style ``sh:SPARQLExecutable`` per Turtle file."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rdflib import RDF, RDFS, SDO, SH, Graph, Namespace

from ntrkkg.build.loading import parse_turtle, rebase
from ntrkkg.namespaces import AUTHORED_BASE, FUNCTIONS
from ntrkkg.resources import resource_dir

__all__ = ["Example", "examples", "examples_graph", "find_example", "read_example"]

SCHEMA = SDO
#: SHACL, open: SIB examples use ``sh:describe``, which rdflib's closed SH namespace lacks.
_SH = Namespace(str(SH))
SPEX = Namespace("https://purl.expasy.org/sparql-examples/ontology#")
FORMS = ("select", "ask", "construct", "describe")


@dataclass(frozen=True)
class Example:
    """One example query: its file, IRI, form, text and documentation."""

    path: Path
    iri: str
    kind: str  # select, ask, construct or describe
    query: str
    comment: str
    description: str
    keywords: tuple[str, ...]
    federates_with: tuple[str, ...]

    @property
    def name(self) -> str:
        """The short name, e.g. ``ntrk3-partner-genes``."""
        return self.iri.rsplit("/", 1)[-1]

    @property
    def federated(self) -> bool:
        """True when the example calls another endpoint with SERVICE."""
        return bool(self.federates_with)

    @property
    def portable(self) -> bool:
        """True when any SPARQL 1.1 store holding the dumps answers it: no SERVICE, no function of this service."""
        return not self.federated and FUNCTIONS not in self.query


def read_example(path: Path, base: str = AUTHORED_BASE) -> Example:
    """One example file, with its IRIs moved to ``base``."""
    return _read(path, base)[0]


def _read(path: Path, base: str) -> tuple[Example, Graph]:
    graph = rebase(parse_turtle(path), base)
    subject = next(graph.subjects(RDF.type, SH.SPARQLExecutable), None)
    found = [(k, str(graph.value(subject, _SH[k]))) for k in FORMS if graph.value(subject, _SH[k]) is not None]
    if subject is None or len(found) != 1:
        raise ValueError(f"{path}: expected one sh:SPARQLExecutable with one of sh:{', sh:'.join(FORMS)}")
    kind, query = found[0]
    return Example(
        path=path,
        iri=str(subject),
        kind=kind,
        query=query,
        comment=str(graph.value(subject, RDFS.comment) or ""),
        description=str(graph.value(subject, SCHEMA.description) or ""),
        keywords=tuple(sorted(str(k) for k in graph.objects(subject, SCHEMA.keywords))),
        federates_with=tuple(sorted(str(s) for s in graph.objects(subject, SPEX.federatesWith))),
    ), graph


@cache
def _read_all(base: str) -> tuple[tuple[Example, Graph], ...]:
    return tuple(_read(path, base) for path in sorted(resource_dir("queries").glob("*.ttl")))


def examples(base: str = AUTHORED_BASE) -> tuple[Example, ...]:
    """Every example, in file order."""
    return tuple(example for example, _ in _read_all(base))


def examples_graph(base: str = AUTHORED_BASE) -> Graph:
    """The triples of every example file (served as the examples named graph)."""
    union = Graph()
    for _, graph in _read_all(base):
        for prefix, namespace in graph.namespaces():
            union.bind(prefix, namespace, override=False)
        for triple in graph:
            union.add(triple)
    return union


def find_example(name: str, base: str = AUTHORED_BASE) -> Example | None:
    """An example by number (``21``), file stem (``021-tumour-type-fusion-network``) or short name."""
    for number, example in enumerate(examples(base), 1):
        if name in (str(number), f"{number:03d}", example.path.stem, example.name, example.path.name):
            return example
    return None
