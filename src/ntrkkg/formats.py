"""The one table of RDF and result formats: names, media types, suffixes, and content negotiation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

if TYPE_CHECKING:
    from werkzeug.datastructures import MIMEAccept

__all__ = ["BY_KEY", "GRAPH_FORMATS", "RESULT_FORMATS", "Format", "NotAcceptable", "by_name", "by_suffix", "choose"]

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
