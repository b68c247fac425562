"""Prefixes from one place: the pinned bioregistry map of external schemes, and the vocabularies we use."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources

import curies
from rdflib import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD, Namespace

from ntrkkg.namespaces import NTRKKG

__all__ = ["SEMAPV", "SSSOM", "VOCABULARIES", "Scheme", "converter", "scheme_of", "schemes"]

SSSOM = Namespace("https://w3id.org/sssom/")
SEMAPV = Namespace("https://w3id.org/semapv/vocab/")

#: Vocabularies the graph and its pages use, by their customary prefixes.
VOCABULARIES = {"rdf": str(RDF), "rdfs": str(RDFS), "owl": str(OWL), "xsd": str(XSD), "skos": str(SKOS),
                "dcterms": str(DCTERMS), "prov": str(PROV), "ntrkkg": str(NTRKKG), "sssom": str(SSSOM),
                "semapv": str(SEMAPV)}


@dataclass(frozen=True)
class Scheme:
    """An external identifier scheme: its bioregistry key, CURIE prefix, namespace and local-id pattern."""

    key: str
    curie_prefix: str
    uri_prefix: str
    pattern: str | None
    name: str


@cache
def schemes() -> dict[str, Scheme]:
    """The external identifier schemes, from the prefix map pinned in the package."""
    raw = json.loads(resources.files("ntrkkg").joinpath("prefixes.json").read_text(encoding="utf-8"))
    return {key: Scheme(key, v["curie_prefix"], v["uri_prefix"], v["pattern"], v["name"])
            for key, v in raw["prefixes"].items()}


def scheme_of(iri: str) -> Scheme | None:
    """The scheme whose namespace holds ``iri`` (the longest matching namespace)."""
    found = [s for s in schemes().values() if iri.startswith(s.uri_prefix)]
    return max(found, key=lambda s: len(s.uri_prefix)) if found else None


@cache
def converter(data_base: str | None = None) -> curies.Converter:
    """A CURIE converter for the external schemes and our vocabularies.

    With ``data_base``, the prefix ``ntrkkg`` names the dataset's own IRIs (as SSSOM files do);
    without it, ``ntrkkg`` is the ontology, as in queries and on pages.
    """
    records = [curies.Record(prefix=s.curie_prefix, uri_prefix=s.uri_prefix) for s in schemes().values()]
    for prefix, namespace in VOCABULARIES.items():
        if prefix == "ntrkkg" and data_base is not None:
            records.append(curies.Record(prefix="ntrkkg", uri_prefix=data_base))
            prefix = "ntrkkg.ontology"  # the ontology keeps its IRIs whatever the data's base
        records.append(curies.Record(prefix=prefix, uri_prefix=namespace))
    return curies.Converter(records)
