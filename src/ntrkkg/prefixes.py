"""Prefixes from one place: the pinned bioregistry map of external schemes, and the vocabularies we use.

The external schemes live in ``prefixes.json`` beside this module, written by ``scripts/update_prefixes.py``
from the bioregistry package. Its ``extended_prefix_map`` is a curies extended prefix map (records with
``prefix``, ``uri_prefix``, ``prefix_synonyms``, ``uri_prefix_synonyms`` and ``pattern``); its ``schemes``
table adds, per bioregistry key, what that format has no place for: the record's CURIE prefix, the scheme's
name and the name of its SHACL shape in ``shapes/identifier-shapes.ttl``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import curies
from rdflib import DCAT, DCTERMS, OWL, PROV, RDF, RDFS, SH, SKOS, VOID, XSD, Namespace

from ntrkkg.namespaces import NTRKKG, SD

__all__ = [
    "SEMAPV",
    "SSSOM",
    "VOCABULARIES",
    "Scheme",
    "converter",
    "known_prefixes",
    "read_map",
    "scheme_of",
    "schemes",
]

SSSOM = Namespace("https://w3id.org/sssom/")
SEMAPV = Namespace("https://w3id.org/semapv/vocab/")

#: Vocabularies the graph and its pages use, by their customary prefixes.
VOCABULARIES = {
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "prov": str(PROV),
    "ntrkkg": str(NTRKKG),
    "sssom": str(SSSOM),
    "semapv": str(SEMAPV),
    # The vocabularies of the dataset's descriptions (VoID, DCAT, the Service Description), of the
    # example queries (SHACL, schema.org, SIB's sparql-examples) and of the citations (BIBO, CiTO, FaBiO).
    "void": str(VOID),
    "dcat": str(DCAT),
    "sd": str(SD),
    "sh": str(SH),
    "schema": "https://schema.org/",
    "spex": "https://purl.expasy.org/sparql-examples/ontology#",
    "bibo": "http://purl.org/ontology/bibo/",
    "cito": "http://purl.org/spar/cito/",
    "fabio": "http://purl.org/spar/fabio/",
}

_MAP_FILE = "prefixes.json"


@dataclass(frozen=True)
class Scheme:
    """An external identifier scheme: its bioregistry key, CURIE prefix, namespace and local-id pattern."""

    key: str
    curie_prefix: str
    uri_prefix: str
    pattern: str | None
    name: str


def read_map(document: Mapping[str, Any]) -> tuple[curies.Converter, dict[str, Scheme]]:
    """The converter of an external prefix-map document, and its schemes by bioregistry key (in file order).

    ``document`` is the parsed JSON of ``prefixes.json``: the converter is loaded from its
    ``extended_prefix_map`` by curies; each scheme takes its CURIE prefix, canonical namespace and
    pattern from that converter's record, and its name from the ``schemes`` table.
    """
    external = curies.load_extended_prefix_map(document["extended_prefix_map"])
    records = {record.prefix: record for record in external.records}
    table: Mapping[str, Mapping[str, str]] = document["schemes"]
    if sorted(entry["prefix"] for entry in table.values()) != sorted(records):
        raise ValueError("the schemes table and the extended prefix map do not name the same CURIE prefixes")
    found = {}
    for key, entry in table.items():
        record = records[entry["prefix"]]
        found[key] = Scheme(key, record.prefix, record.uri_prefix, record.pattern, entry["name"])
    return external, found


@cache
def _pinned() -> tuple[curies.Converter, dict[str, Scheme]]:
    text = resources.files("ntrkkg").joinpath(_MAP_FILE).read_text(encoding="utf-8")
    return read_map(json.loads(text))


def schemes() -> dict[str, Scheme]:
    """The external identifier schemes by bioregistry key, from the prefix map pinned in the package."""
    return _pinned()[1]


def scheme_of(iri: str) -> Scheme | None:
    """The scheme whose canonical namespace holds ``iri`` (the longest matching namespace).

    Only canonical namespaces count: an IRI under one of a scheme's URI prefix synonyms is in no scheme here
    (``converter().standardize_uri`` turns it into the canonical IRI).
    """
    found = [s for s in schemes().values() if iri.startswith(s.uri_prefix)]
    return max(found, key=lambda s: len(s.uri_prefix)) if found else None


@cache
def known_prefixes() -> dict[str, str]:
    """Every CURIE prefix of the map (synonyms included) with its namespace: what a query may be told to declare."""
    known: dict[str, str] = {}
    for record in converter().records:
        for name in (record.prefix, *record.prefix_synonyms):
            known.setdefault(name, record.uri_prefix)
    return known


@cache
def converter(data_base: str | None = None) -> curies.Converter:
    """The CURIE converter for the external schemes (with their synonyms and patterns) and our vocabularies.

    Pages and the SSSOM file use this one; the identifier shapes are generated from the same records.
    With ``data_base``, the prefix ``ntrkkg`` names the dataset's own IRIs (as SSSOM files do); without it,
    ``ntrkkg`` is the ontology, as in queries and on pages.
    """
    records = list(_pinned()[0].records)
    for prefix, namespace in VOCABULARIES.items():
        if prefix == "ntrkkg" and data_base is not None:
            records.append(curies.Record(prefix="ntrkkg", uri_prefix=data_base))
            prefix = "ntrkkg.ontology"  # the ontology keeps its IRIs whatever the data's base
        records.append(curies.Record(prefix=prefix, uri_prefix=namespace))
    return curies.Converter(records)
