"""The served dataset: the store with its named graphs, and its SPARQL Service Description."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import cast

import pyoxigraph as ox
from rdflib import RDF, XSD, BNode, Graph, Literal, Namespace, URIRef

from ntrkkg.resources import resource_dir
from ntrkkg.store import store_from_dist
from ntrkkg.web.formats import GRAPH_FORMATS, RESULT_FORMATS

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID = Namespace("http://rdfs.org/ns/void#")
FORMATS_NS = "http://www.w3.org/ns/formats/"
_FORMAT_IRIS = {"json": "SPARQL_Results_JSON", "xml": "SPARQL_Results_XML", "csv": "SPARQL_Results_CSV",
                "tsv": "SPARQL_Results_TSV", "turtle": "Turtle", "ntriples": "N-Triples", "rdfxml": "RDF_XML",
                "jsonld": "JSON-LD", "nquads": "N-Quads", "trig": "TriG"}


@dataclass(frozen=True)
class GraphNames:
    asserted: str
    inferred: str
    void: str
    examples: str

    @property
    def default(self) -> tuple[str, ...]:
        return (self.asserted, self.inferred)


def graph_names(base: str, endpoint: str) -> GraphNames:
    return GraphNames(f"{base}graph/asserted", f"{base}graph/inferred",
                      f"{endpoint}/.well-known/void", f"{endpoint}/.well-known/sparql-examples")


def examples_graph() -> Graph:
    graph = Graph()
    for path in sorted(resource_dir("queries").glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


def load_store(dist: Path, names: GraphNames) -> ox.Store:
    """An in-memory store: the N-Quads dump, plus VoID and the examples in their own graphs."""
    store = store_from_dist(dist)
    store.bulk_load(path=str(dist / "void.ttl"), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(names.void))
    examples = examples_graph().serialize(format="nt", encoding="utf-8")
    store.bulk_load(examples, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(names.examples))
    return store


def graph_sizes(store: ox.Store) -> dict[str, int]:
    sizes = {}
    query = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    for solution in cast(ox.QuerySolutions, store.query(query)):
        sizes[solution["g"].value] = int(solution["n"].value)
    return sizes


def service_description(endpoint: str, names: GraphNames | None, sizes: dict[str, int]) -> Graph:
    """An SD document built from the store: formats, default dataset and named graphs."""
    sd = Graph()
    sd.bind("sd", SD)
    sd.bind("void", VOID)
    service = URIRef(endpoint)
    sd.add((service, RDF.type, SD.Service))
    sd.add((service, SD.endpoint, service))
    sd.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    for fmt in RESULT_FORMATS + GRAPH_FORMATS:
        sd.add((service, SD.resultFormat, URIRef(FORMATS_NS + _FORMAT_IRIS[fmt.key])))
    dataset = BNode("dataset")
    sd.add((service, SD.defaultDataset, dataset))
    sd.add((dataset, RDF.type, SD.Dataset))
    default = BNode("defaultGraph")
    sd.add((dataset, SD.defaultGraph, default))
    sd.add((default, RDF.type, SD.Graph))
    if names is not None:
        sd.add((default, VOID.triples,
                Literal(sum(sizes.get(g, 0) for g in names.default), datatype=XSD.integer)))
    for name, size in sorted(sizes.items()):
        named = BNode()
        graph = BNode()
        sd.add((dataset, SD.namedGraph, named))
        sd.add((named, RDF.type, SD.NamedGraph))
        sd.add((named, SD.name, URIRef(name)))
        sd.add((named, SD.graph, graph))
        sd.add((graph, RDF.type, SD.Graph))
        sd.add((graph, VOID.triples, Literal(size, datatype=XSD.integer)))
    return sd
