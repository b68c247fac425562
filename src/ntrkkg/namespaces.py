"""IRIs of the dataset: the configurable base and the names derived from it."""

from __future__ import annotations

import os

from rdflib import Namespace, URIRef

#: The base that the curated files are written against.
AUTHORED_BASE = "https://w3id.org/ntrkkg/"

NTRKKG = Namespace(AUTHORED_BASE + "ontology#")
#: The review whose Table 2 the graph is built from.
REVIEW = URIRef("https://doi.org/10.1093/jjco/hyaf015")


def configured_base() -> str:
    """The base IRI to publish under: ``NTRKKG_BASE`` if set, else the authored base."""
    base = os.environ.get("NTRKKG_BASE", AUTHORED_BASE)
    return base if base.endswith("/") else base + "/"


def graph_iri(name: str, base: str = AUTHORED_BASE) -> URIRef:
    """The IRI of a named graph of the dataset (``asserted``, ``inferred``, ...)."""
    return URIRef(f"{base}graph/{name}")


def dataset_iri(base: str = AUTHORED_BASE) -> URIRef:
    return URIRef(f"{base}dataset")
