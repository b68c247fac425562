"""The SPARQL 1.1 Service Description, built from the served data and the settings."""

from __future__ import annotations

from rdflib import RDF, RDFS, VOID, XSD, BNode, Graph, Literal, URIRef

from ntrkkg.config import Settings
from ntrkkg.formats import GRAPH_FORMATS, RESULT_FORMATS
from ntrkkg.namespaces import SD
from ntrkkg.sparql import search
from ntrkkg.sparql.service import QueryService

__all__ = ["graph_sizes", "service_description"]

_SIZES = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
_OWL_RL = URIRef("http://www.w3.org/ns/entailment/OWL-RL")


def graph_sizes(service: QueryService) -> dict[str, int]:
    """Triples in each named graph of the store."""
    return {row["g"]: int(row["n"]) for row in service.values(_SIZES)}


def service_description(settings: Settings, sizes: dict[str, int], endpoint: str | None = None) -> Graph:
    """An SD document: endpoint, language, formats, the default dataset and its named graphs.

    ``endpoint`` is the IRI the service is answering at (default: the configured one). The default
    graph is the union of the asserted and inferred graphs only, not of every named graph (VoID and
    the examples are named graphs outside it), so ``sd:UnionDefaultGraph`` is not declared; the
    default graph's entailment regime is OWL 2 RL, whose closure the inferred graph holds.
    """
    sd = Graph()
    sd.bind("sd", SD)
    sd.bind("void", VOID)
    service = URIRef(endpoint or settings.endpoint)
    sd.add((service, RDF.type, SD.Service))
    sd.add((service, SD.endpoint, service))
    sd.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    if settings.allowed_services:
        sd.add((service, SD.feature, SD.BasicFederatedQuery))
    for fmt in RESULT_FORMATS + GRAPH_FORMATS:
        sd.add((service, SD.resultFormat, URIRef(fmt.iri)))
    dataset = BNode("dataset")
    sd.add((service, SD.defaultDataset, dataset))
    sd.add((dataset, RDF.type, SD.Dataset))
    default = BNode("defaultGraph")
    sd.add((dataset, SD.defaultGraph, default))
    sd.add((default, RDF.type, SD.Graph))
    sd.add((default, VOID.triples, Literal(sum(sizes.get(g, 0) for g in settings.names.default), datatype=XSD.integer)))
    members = " and ".join(f"<{g}>" for g in settings.names.default)
    sd.add((default, RDFS.comment, Literal(f"The union of the named graphs {members}.", lang="en")))
    sd.add((service, SD.defaultEntailmentRegime, _OWL_RL))
    function = URIRef(search.SEARCH)
    sd.add((service, SD.extensionFunction, function))
    sd.add((function, RDF.type, SD.Function))
    sd.add((function, RDFS.label, Literal("full-text search", lang="en")))
    sd.add((function, RDFS.comment, Literal(search.SEARCH_DOC, lang="en")))
    for name, size in sorted(sizes.items()):
        named, graph = BNode(), BNode()
        sd.add((dataset, SD.namedGraph, named))
        sd.add((named, RDF.type, SD.NamedGraph))
        sd.add((named, SD.name, URIRef(name)))
        sd.add((named, SD.graph, graph))
        sd.add((graph, RDF.type, SD.Graph))
        sd.add((graph, VOID.triples, Literal(size, datatype=XSD.integer)))
    return sd
