"""A VoID and DCAT description of a build, generated from the data."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import DCAT, DCTERMS, RDF, VOID, XSD, BNode, Graph, Literal, Namespace, URIRef

from ntrkkg.formats import GRAPH_FORMATS
from ntrkkg.namespaces import SD, dataset_iri, graph_iri
from ntrkkg.outputs.sssom import mappings
from ntrkkg.prefixes import scheme_of

if TYPE_CHECKING:
    from ntrkkg.build.pipeline import BuildResult

SPDX = Namespace("http://spdx.org/rdf/terms#")


def _partitions(void: Graph, subject: URIRef, graph: Graph) -> None:
    classes = Counter(o for _, _, o in graph.triples((None, RDF.type, None)))
    properties = Counter(p for _, p, _ in graph)
    void.add((subject, VOID.classes, Literal(len(classes))))
    void.add((subject, VOID.properties, Literal(len(properties))))
    void.add((subject, VOID.distinctSubjects, Literal(len(set(graph.subjects())))))
    void.add((subject, VOID.distinctObjects, Literal(len(set(graph.objects())))))
    for cls, count in sorted(classes.items()):
        part = BNode()
        void.add((subject, VOID.classPartition, part))
        void.add((part, VOID["class"], cls))
        void.add((part, VOID.entities, Literal(count)))
    for prop, count in sorted(properties.items()):
        part = BNode()
        void.add((subject, VOID.propertyPartition, part))
        void.add((part, VOID.property, prop))
        void.add((part, VOID.triples, Literal(count)))


def describe(result: BuildResult, asserted: Graph, files: list[tuple[Path, str, str]]) -> Graph:
    """VoID/DCAT triples: title, licence, version, source, counts, partitions and dumps."""
    base = result.base
    ds = dataset_iri(base)
    void = Graph()
    for prefix, ns in (("void", VOID), ("dcat", DCAT), ("dcterms", DCTERMS), ("sd", SD), ("spdx", SPDX)):
        void.bind(prefix, ns)
    for p in (
        DCTERMS.title,
        DCTERMS.description,
        DCTERMS.license,
        DCTERMS.source,
        DCTERMS.rights,
        RDF.type,
        VOID.uriSpace,
    ):
        for o in asserted.objects(ds, p):
            void.add((ds, p, o))
    void.add((ds, DCTERMS.hasVersion, Literal(result.version)))
    void.add((ds, VOID.triples, Literal(len(asserted) + len(result.inferred))))
    for fmt in GRAPH_FORMATS[:2]:
        void.add((ds, VOID.feature, URIRef(fmt.iri)))
    for name, graph in (("asserted", asserted), ("inferred", result.inferred)):
        subset = graph_iri(name, base)
        void.add((ds, VOID.subset, subset))
        void.add((subset, RDF.type, VOID.Dataset))
        void.add((subset, DCTERMS.title, Literal(f"{name} triples of ntrkkg", lang="en")))
        void.add((subset, VOID.triples, Literal(len(graph))))
        _partitions(void, subset, graph)
    _linksets(void, ds, asserted)
    for path, media_type, description in files:
        url = URIRef(f"{base}downloads/{path.name}")
        dist = URIRef(f"{base}downloads/{path.name}#distribution")
        void.add((ds, VOID.dataDump, url))
        void.add((ds, DCAT.distribution, dist))
        void.add((dist, RDF.type, DCAT.Distribution))
        void.add((dist, DCTERMS.title, Literal(path.name)))
        void.add((dist, DCTERMS.description, Literal(description, lang="en")))
        void.add((dist, DCAT.downloadURL, url))
        void.add((dist, DCAT.mediaType, Literal(media_type)))
        void.add((dist, DCAT.byteSize, Literal(path.stat().st_size, datatype=XSD.nonNegativeInteger)))
    return void


def _linksets(void: Graph, ds: URIRef, asserted: Graph) -> None:
    """One void:Linkset per external scheme, with its target, predicates and link count."""
    by_scheme: dict[str, list[URIRef]] = {}
    for mapping in mappings(asserted):
        scheme = scheme_of(str(mapping.object))
        if scheme is not None:
            by_scheme.setdefault(scheme.key, []).append(mapping.predicate)
    for key, predicates in sorted(by_scheme.items()):
        linkset = URIRef(f"{ds}/linkset/{key}")
        target = URIRef(f"https://bioregistry.io/registry/{key}")
        void.add((ds, VOID.subset, linkset))
        void.add((linkset, RDF.type, VOID.Linkset))
        void.add((linkset, DCTERMS.title, Literal(f"ntrkkg links to {key}", lang="en")))
        void.add((linkset, VOID.subjectsTarget, ds))
        void.add((linkset, VOID.objectsTarget, target))
        void.add((linkset, VOID.triples, Literal(len(predicates))))
        for predicate in sorted(set(predicates)):
            void.add((linkset, VOID.linkPredicate, predicate))
