"""Result formats, their media types, and content negotiation with werkzeug."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox
from werkzeug.datastructures import MIMEAccept


@dataclass(frozen=True)
class Format:
    key: str
    media_type: str
    oxigraph: Any  # ox.QueryResultsFormat for results, ox.RdfFormat for graphs
    aliases: tuple[str, ...] = ()

    @property
    def content_type(self) -> str:
        return f"{self.media_type}; charset=utf-8"


RESULT_FORMATS = (
    Format("json", "application/sparql-results+json", ox.QueryResultsFormat.JSON, ("application/json", "srj")),
    Format("xml", "application/sparql-results+xml", ox.QueryResultsFormat.XML, ("srx",)),
    Format("csv", "text/csv", ox.QueryResultsFormat.CSV),
    Format("tsv", "text/tab-separated-values", ox.QueryResultsFormat.TSV),
)
GRAPH_FORMATS = (
    Format("turtle", "text/turtle", ox.RdfFormat.TURTLE, ("ttl", "application/x-turtle")),
    Format("ntriples", "application/n-triples", ox.RdfFormat.N_TRIPLES, ("nt", "text/plain")),
    Format("rdfxml", "application/rdf+xml", ox.RdfFormat.RDF_XML, ("rdf", "xml")),
    Format("jsonld", "application/ld+json", ox.RdfFormat.JSON_LD, ("json-ld", "json")),
    Format("nquads", "application/n-quads", ox.RdfFormat.N_QUADS, ("nq",)),
    Format("trig", "application/trig", ox.RdfFormat.TRIG),
)
BY_KEY = {f.key: f for f in RESULT_FORMATS + GRAPH_FORMATS}


class NotAcceptable(Exception):
    pass


def _by_name(name: str, formats: tuple[Format, ...]) -> Format | None:
    name = name.strip().lower()
    for fmt in formats:
        if name in (fmt.key, fmt.media_type, *fmt.aliases):
            return fmt
    return None


def choose(accept: MIMEAccept, override: str | None, graph: bool) -> Format:
    """The format for a result: ``format=`` wins, then Accept (q-values, wildcards)."""
    formats = GRAPH_FORMATS if graph else RESULT_FORMATS
    if override:
        fmt = _by_name(override, formats)
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
    return _by_name(best, formats) or formats[0]
