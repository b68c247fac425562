"""The example queries of ``queries/``: one SIB-style ``sh:SPARQLExecutable`` per Turtle file."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rdflib import RDF, RDFS, Graph, Namespace

from ntrkkg.resources import resource_dir

SH = Namespace("http://www.w3.org/ns/shacl#")
SCHEMA = Namespace("https://schema.org/")
SPEX = Namespace("https://purl.expasy.org/sparql-examples/ontology#")
FORMS = ("select", "ask", "construct", "describe")


@dataclass(frozen=True)
class Example:
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
        return bool(self.federates_with)


def read_example(path: Path) -> Example:
    graph = Graph().parse(path, format="turtle")
    subject = next(graph.subjects(RDF.type, SH.SPARQLExecutable))
    kind, query = next((k, str(graph.value(subject, SH[k]))) for k in FORMS if graph.value(subject, SH[k]) is not None)
    return Example(
        path=path, iri=str(subject), kind=kind, query=query,
        comment=str(graph.value(subject, RDFS.comment) or ""),
        description=str(graph.value(subject, SCHEMA.description) or ""),
        keywords=tuple(sorted(str(k) for k in graph.objects(subject, SCHEMA.keywords))),
        federates_with=tuple(sorted(str(s) for s in graph.objects(subject, SPEX.federatesWith))),
    )


@cache
def examples() -> tuple[Example, ...]:
    """Every example, in file order."""
    return tuple(read_example(path) for path in sorted(resource_dir("queries").glob("*.ttl")))
