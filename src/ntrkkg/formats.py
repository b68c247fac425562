"""The one table of RDF and result formats: names, media types, suffixes, and content negotiation."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import IO, TYPE_CHECKING, Any

import pyoxigraph as ox
import rdflib

from ntrkkg.prefixes import converter

if TYPE_CHECKING:
    from werkzeug.datastructures import MIMEAccept

__all__ = [
    "BY_KEY",
    "GRAPH_FORMATS",
    "RESULT_FORMATS",
    "Format",
    "NotAcceptable",
    "by_name",
    "by_suffix",
    "choose",
    "graph_bytes",
    "write_graph",
]

_W3C = "http://www.w3.org/ns/formats/"


@dataclass(frozen=True)
class Format:
    """One serialisation: for query results (``graph=False``) or for RDF graphs."""

    key: str
    media_type: str
    oxigraph: Any  # ox.QueryResultsFormat for results, ox.RdfFormat for graphs
    w3c_name: str  # the local name of its http://www.w3.org/ns/formats/ IRI
    suffix: str = ""
    rdflib: str = ""  # rdflib's plugin name, for graphs
    aliases: tuple[str, ...] = ()

    @property
    def content_type(self) -> str:
        """The media type with its charset, for a response header."""
        return f"{self.media_type}; charset=utf-8"

    @property
    def iri(self) -> str:
        """The format's W3C IRI (for Service Descriptions and VoID)."""
        return _W3C + self.w3c_name

    @property
    def graph(self) -> bool:
        """True for RDF graph formats, False for SPARQL result formats."""
        return isinstance(self.oxigraph, ox.RdfFormat)


RESULT_FORMATS = (
    Format(
        "json",
        "application/sparql-results+json",
        ox.QueryResultsFormat.JSON,
        "SPARQL_Results_JSON",
        "srj",
        aliases=("application/json", "srj"),
    ),
    Format(
        "xml",
        "application/sparql-results+xml",
        ox.QueryResultsFormat.XML,
        "SPARQL_Results_XML",
        "srx",
        aliases=("srx",),
    ),
    Format("csv", "text/csv", ox.QueryResultsFormat.CSV, "SPARQL_Results_CSV", "csv"),
    Format("tsv", "text/tab-separated-values", ox.QueryResultsFormat.TSV, "SPARQL_Results_TSV", "tsv"),
)
GRAPH_FORMATS = (
    Format("turtle", "text/turtle", ox.RdfFormat.TURTLE, "Turtle", "ttl", "turtle", ("ttl", "application/x-turtle")),
    Format("ntriples", "application/n-triples", ox.RdfFormat.N_TRIPLES, "N-Triples", "nt", "nt", ("nt", "text/plain")),
    Format("rdfxml", "application/rdf+xml", ox.RdfFormat.RDF_XML, "RDF_XML", "rdf", "xml", ("rdf", "xml")),
    Format("jsonld", "application/ld+json", ox.RdfFormat.JSON_LD, "JSON-LD", "jsonld", "json-ld", ("json-ld", "json")),
    Format("nquads", "application/n-quads", ox.RdfFormat.N_QUADS, "N-Quads", "nq", "nquads", ("nq",)),
    Format("trig", "application/trig", ox.RdfFormat.TRIG, "TriG", "trig", "trig"),
)
BY_KEY = {f.key: f for f in RESULT_FORMATS + GRAPH_FORMATS}


class NotAcceptable(Exception):
    """No offered format matches what the client asked for; the message lists the offers."""


def by_name(name: str, formats: tuple[Format, ...] = RESULT_FORMATS + GRAPH_FORMATS) -> Format | None:
    """The format called ``name`` (its key, media type or an alias), if any."""
    name = name.strip().lower()
    for fmt in formats:
        if name in (fmt.key, fmt.media_type, *fmt.aliases):
            return fmt
    return None


def by_suffix(suffix: str) -> Format | None:
    """The graph format of a file suffix (``ttl``, ``nq``, ...)."""
    suffix = suffix.lstrip(".").lower()
    return next((f for f in GRAPH_FORMATS if suffix in (f.suffix, *f.aliases)), None)


def choose(accept: MIMEAccept, override: str | None, graph: bool) -> Format:
    """The format for a result: ``format=`` wins, then Accept (q-values, wildcards)."""
    formats = GRAPH_FORMATS if graph else RESULT_FORMATS
    if override:
        fmt = by_name(override, formats)
        if fmt is None:
            names = ", ".join(f.key for f in formats)
            raise NotAcceptable(f"unknown format {override!r} for this query; use one of: {names}")
        return fmt
    if not accept or not list(accept.values()):
        return formats[0]
    offers = [f.media_type for f in formats] + [a for f in formats for a in f.aliases if "/" in a]
    best = accept.best_match(offers)
    if best is None:
        offered = ", ".join(f.media_type for f in formats)
        raise NotAcceptable(f"none of the accepted types can be produced; this query offers: {offered}")
    return by_name(best, formats) or formats[0]


# --- Writing graphs ---------------------------------------------------------------------------------

_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_XSD = "http://www.w3.org/2001/XMLSchema#"
#: Literals Turtle writes without their datatype: the datatype, and the lexical forms written bare.
_BARE = {
    _XSD + "string": re.compile(r".*", re.DOTALL),
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString": re.compile(r".*", re.DOTALL),
    _XSD + "integer": re.compile(r"[+-]?[0-9]+"),
    _XSD + "decimal": re.compile(r"[+-]?[0-9]*\.[0-9]+"),
    _XSD + "double": re.compile(r"[+-]?(?:[0-9]+\.[0-9]*|\.?[0-9]+)[eE][+-]?[0-9]+"),
    _XSD + "boolean": re.compile(r"true|false"),
}
#: A JSON-LD 1.1 term is a prefix by itself only when its IRI ends with one of these.
_GEN_DELIMS = tuple(":/?#[]@")


@cache
def _namespaces() -> list[tuple[str, str]]:
    """The prefix map of the pages and SSSOM as (namespace, prefix), longest namespace first."""
    return sorted(((r.uri_prefix, r.prefix) for r in converter().records), key=lambda x: (-len(x[0]), x[1]))


def _prefix_of(iri: str, namespaces: list[tuple[str, str]]) -> tuple[str, str] | None:
    return next(((prefix, ns) for ns, prefix in namespaces if iri.startswith(ns)), None)


def _used_prefixes(triples: list[ox.Triple], turtle: bool) -> dict[str, str]:
    """The prefixes of the map that the serialisation of ``triples`` writes (Turtle writes rdf:type as ``a``)."""
    namespaces = _namespaces()
    iris: set[str] = set()
    for triple in triples:
        for position, term in enumerate((triple.subject, triple.predicate, triple.object)):
            if isinstance(term, ox.NamedNode):
                if not (turtle and position == 1 and term.value == _RDF_TYPE):
                    iris.add(term.value)
            elif isinstance(term, ox.Literal):
                bare = _BARE.get(term.datatype.value)
                if not (turtle and bare is not None and bare.fullmatch(term.value)):
                    iris.add(term.datatype.value)
    used = {}
    for iri in iris:
        found = _prefix_of(iri, namespaces)
        if found is not None:
            used[found[0]] = found[1]
    return dict(sorted(used.items()))


def _canonical(triples: Iterable[ox.Triple]) -> list[ox.Triple]:
    """The triples sorted, blank nodes labelled by RDFC-1.0: the same graph gives the same bytes."""
    listed = list(triples)
    if any(isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode) for t in listed):
        dataset = ox.Dataset(ox.Quad(t.subject, t.predicate, t.object) for t in listed)
        dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
        listed = [quad.triple for quad in dataset]
    return sorted(listed, key=str)


class _Compactor:
    """Oxigraph's expanded JSON-LD with IRIs written as compact IRIs of the prefix map; remembers the prefixes used."""

    def __init__(self, namespaces: list[tuple[str, str]]) -> None:
        self.namespaces = namespaces
        self.used: set[str] = set()

    def iri(self, text: str) -> str:
        found = _prefix_of(text, self.namespaces)
        local = text[len(found[1]) :] if found else ""
        if found is None or local.startswith("//"):  # "p://x" would read as an absolute IRI
            return text
        self.used.add(found[0])
        return f"{found[0]}:{local}"

    def node(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self.node(v) for v in value]
        if not isinstance(value, dict):
            return value
        out: dict[str, Any] = {}
        for key, item in value.items():
            if key in ("@id", "@type"):  # IRIs, or blank node labels, which stay as they are
                names = item if isinstance(item, list) else [item]
                done = [n if n.startswith("_:") else self.iri(n) for n in names]
                out[key] = done if isinstance(item, list) else done[0]
            elif key.startswith("@"):
                out[key] = self.node(item) if key == "@graph" else item
            else:
                out[self.iri(key)] = self.node(item)
        return out


def write_graph(triples: Iterable[ox.Triple], fmt: Format, output: IO[bytes]) -> None:
    """Write ``triples`` in the graph format ``fmt``: sorted, with the prefixes of the map that it uses.

    Every graph the service writes goes through here (CONSTRUCT and DESCRIBE results, entity RDF, VoID,
    the examples, the Service Description), so the same graph always gives the same bytes. Turtle, TriG
    and RDF/XML declare only the prefixes they use; JSON-LD gets an ``@context`` of them and compact IRIs.
    """
    listed = _canonical(triples)
    if fmt.key == "jsonld":
        compactor = _Compactor(_namespaces())
        nodes = compactor.node(json.loads(ox.serialize(listed, format=ox.RdfFormat.JSON_LD) or b"[]"))
        known = {prefix: ns for ns, prefix in compactor.namespaces}
        context = {
            prefix: known[prefix] if known[prefix].endswith(_GEN_DELIMS) else {"@id": known[prefix], "@prefix": True}
            for prefix in sorted(compactor.used)
        }
        document = {"@context": context, "@graph": nodes}
        output.write(json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8") + b"\n")
        return
    quads = fmt.key in ("nquads", "trig")
    items: list[Any] = [ox.Quad(t.subject, t.predicate, t.object) for t in listed] if quads else listed
    prefixes = _used_prefixes(listed, turtle=fmt.key != "rdfxml") if fmt.key in ("turtle", "trig", "rdfxml") else None
    ox.serialize(items, output, format=fmt.oxigraph, prefixes=prefixes)


def graph_bytes(graph: rdflib.Graph | Iterable[ox.Triple], fmt: Format) -> bytes:
    """An rdflib graph, or pyoxigraph triples, written by :func:`write_graph` (sorted, with the prefixes it uses)."""
    import io

    triples: Iterable[ox.Triple] = graph  # type: ignore[assignment]
    if isinstance(graph, rdflib.Graph):
        triples = ox.parse(graph.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)
    out = io.BytesIO()
    write_graph(triples, fmt, out)
    return out.getvalue()


# Read now, in the process that forks the engines: a confined engine cannot read the package's files.
_namespaces()
