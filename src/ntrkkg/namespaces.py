"""IRIs of the dataset: the ontology's fixed namespace, and the names minted under a deployment base."""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Namespace, URIRef

__all__ = [
    "AUTHORED_BASE",
    "FUNCTIONS",
    "NTRKKG",
    "REVIEW",
    "SD",
    "GraphNames",
    "dataset_iri",
    "graph_iri",
    "graph_names",
]

#: The base that the curated files are written against; a build may publish under another.
AUTHORED_BASE = "https://w3id.org/ntrkkg/"
#: The ontology's namespace. It stays fixed whatever the deployment base.
NTRKKG = Namespace(AUTHORED_BASE + "ontology#")
#: Functions that only this service's engines define (full-text search); fixed whatever the deployment base.
FUNCTIONS = AUTHORED_BASE + "function#"
#: SPARQL 1.1 Service Description (rdflib has no constant for it).
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
#: The review whose Table 2 the graph is built from.
REVIEW = URIRef("https://doi.org/10.1093/jjco/hyaf015")


def graph_iri(name: str, base: str = AUTHORED_BASE) -> URIRef:
    """The IRI of a named graph of the dataset (``asserted``, ``inferred``, ...)."""
    return URIRef(f"{base}graph/{name}")


def dataset_iri(base: str = AUTHORED_BASE) -> URIRef:
    """The IRI of the dataset itself (the subject of its VoID description)."""
    return URIRef(f"{base}dataset")


@dataclass(frozen=True)
class GraphNames:
    """The named graphs a served store holds."""

    asserted: str
    inferred: str
    void: str
    examples: str

    @property
    def default(self) -> tuple[str, ...]:
        """The graphs whose union is the default graph."""
        return (self.asserted, self.inferred)


def graph_names(base: str, endpoint: str) -> GraphNames:
    """Graph names of a deployment: data graphs under ``base``, descriptions under ``endpoint``."""
    return GraphNames(
        str(graph_iri("asserted", base)),
        str(graph_iri("inferred", base)),
        f"{endpoint}/.well-known/void",
        f"{endpoint}/.well-known/sparql-examples",
    )
