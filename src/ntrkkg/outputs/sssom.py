"""The curated links to external ontologies, read from their axioms and written as SSSOM TSV."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import curies
from rdflib import OWL, RDF, RDFS, SKOS, Graph, URIRef

from ntrkkg.prefixes import SSSOM, converter, scheme_of

MATCH_PREDICATES = (SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch, SKOS.narrowMatch, SKOS.relatedMatch)


@dataclass(frozen=True)
class Mapping:
    """One curated mapping: subject, predicate, object, their labels, and its justification."""

    subject: URIRef
    subject_label: str
    predicate: URIRef
    object: URIRef
    object_label: str
    justification: URIRef
    comment: str
    #: The edition of the external scheme the object was checked in (e.g. ICD-O-3.1), when recorded.
    object_source_version: str = ""


def mappings(graph: Graph) -> list[Mapping]:
    """Every curated mapping, read from its owl:Axiom annotation."""
    found = []
    for axiom in graph.subjects(RDF.type, OWL.Axiom):
        predicate = graph.value(axiom, OWL.annotatedProperty)
        if predicate not in MATCH_PREDICATES:
            continue
        subject = graph.value(axiom, OWL.annotatedSource)
        found.append(
            Mapping(
                subject=subject,  # type: ignore[arg-type]
                subject_label=str(graph.value(subject, RDFS.label) or ""),
                predicate=predicate,  # type: ignore[arg-type]
                object=graph.value(axiom, OWL.annotatedTarget),  # type: ignore[arg-type]
                object_label=str(graph.value(axiom, SSSOM.object_label) or ""),
                justification=graph.value(axiom, SSSOM.mapping_justification),  # type: ignore[arg-type]
                comment=str(graph.value(axiom, RDFS.comment) or ""),
                object_source_version=str(graph.value(axiom, SSSOM.object_source_version) or ""),
            )
        )
    return sorted(found, key=lambda m: (str(m.subject), str(m.predicate), str(m.object)))


COLUMNS = (
    "subject_id",
    "subject_label",
    "predicate_id",
    "object_id",
    "object_label",
    "mapping_justification",
    "object_source_version",
    "comment",
)


def curie_map_iri(record: curies.Record) -> str:
    """The namespace a CURIE prefix expands to in the SSSOM curie map.

    A URI prefix with a query string is a search form, not a namespace (bioregistry gives ICD-O's as a
    search of codes.iarc.fr): there the curie map names the Bioregistry resolver's prefix
    ``https://bioregistry.io/{prefix}:`` instead, which resolves each CURIE and which the pinned map
    lists among the scheme's URI prefix synonyms (bioregistry 0.15.6, ``get_bioregistry_iri``).
    """
    resolver = f"https://bioregistry.io/{record.prefix}:"
    if "?" in record.uri_prefix and resolver in record.uri_prefix_synonyms:
        return resolver
    return record.uri_prefix


def _cell(value: str) -> str:
    return value.replace("\t", " ").replace("\n", " ")


def write_sssom(path: Path, graph: Graph, base: str, version: str) -> int:
    """Write the mapping set as SSSOM TSV; returns the number of mappings."""
    conv = converter(base)
    rows = mappings(graph)
    used = {"ntrkkg", "ntrkkg.ontology", "skos", "semapv"}
    lines = []
    for m in rows:
        scheme = scheme_of(str(m.object))
        assert scheme is not None, f"{m.object} is in no pinned scheme"
        used.add(scheme.curie_prefix)
        lines.append(
            "\t".join(
                _cell(v)
                for v in (
                    conv.compress_strict(str(m.subject)),
                    m.subject_label,
                    conv.compress_strict(str(m.predicate)),
                    conv.compress_strict(str(m.object)),
                    m.object_label,
                    conv.compress_strict(str(m.justification)),
                    m.object_source_version,
                    m.comment,
                )
            )
        )
    curie_map = {r.prefix: curie_map_iri(r) for r in conv.records if r.prefix in used}
    header = [
        f"#mapping_set_id: {base}mappings/ntrkkg-{version}.sssom.tsv",
        f"#mapping_set_version: {version}",
        "#mapping_set_title: ntrkkg links to external ontologies and databases",
        "#mapping_set_description: Manually curated links from ntrkkg genes, markers, drugs, diseases and"
        " methods to HGNC, NCBI Gene, Ensembl, NCIt, MONDO, DO, OncoTree, ICD-O, ChEBI, ChEMBL,"
        " DrugBank, UniProt, SO and OBI. Each was checked against the named source.",
        "#license: https://creativecommons.org/licenses/by/4.0/",
        "#curie_map:",
        # Quoted: a namespace such as "https://bioregistry.io/icdo:" ends with a colon, which YAML would misread.
        *[f"#  {prefix}: {json.dumps(uri)}" for prefix, uri in sorted(curie_map.items())],
    ]
    path.write_text("\n".join(header + ["\t".join(COLUMNS)] + lines) + "\n", encoding="utf-8")
    return len(rows)
