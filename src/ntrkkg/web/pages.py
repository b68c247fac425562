"""Linked-data pages, the home page, the ontology, downloads, health and statistics."""

from __future__ import annotations

import json
import mimetypes
import time
from functools import cache
from pathlib import Path

import pyoxigraph as ox
from flask import Blueprint, Response, abort, render_template, request, send_from_directory

from ntrkkg.formats import BY_KEY, GRAPH_FORMATS, NotAcceptable, by_suffix, choose
from ntrkkg.outputs import diagrams
from ntrkkg.prefixes import converter
from ntrkkg.resources import resource_dir
from ntrkkg.sparql.service import QueryFailed
from ntrkkg.web.endpoint import STATUS
from ntrkkg.web.protocol import problem, site

blueprint = Blueprint("pages", __name__)

ENTITY_KINDS = (
    "gene",
    "marker",
    "fusion",
    "drug",
    "reference",
    "disease",
    "modality",
    "sequence",
    "note",
    "cell",
    "statement",
    "table",
    "graph",
    "dataset",
)
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
DEFINITION = "http://www.w3.org/2004/02/skos/core#definition"


def _base() -> str:
    return site().settings.base


def _rows(query: str, **bindings: str) -> list[dict[str, str]]:
    """Rows of one of the pages' own queries, through the same door and engines as any query."""
    return site().service.values(query, **bindings)


def _wants_html(override: str | None) -> bool:
    if override:
        return override == "html"
    offers = ["text/html"] + [f.media_type for f in GRAPH_FORMATS]
    return request.accept_mimetypes.best_match(offers, default="text/html") == "text/html"


@blueprint.errorhandler(QueryFailed)
def _failed(error: QueryFailed) -> Response:
    return problem(STATUS.get(error.outcome.status, 500), error.outcome.message)


@blueprint.route("/")
def home() -> Response:
    """The home page: counts, the rows of the table, the model diagram."""
    counts = _rows("""SELECT
        (COUNT(DISTINCT ?statement) AS ?statements) (COUNT(DISTINCT ?row) AS ?rows)
        (COUNT(DISTINCT ?reference) AS ?references) WHERE {
        { ?statement a ntrkkg:Statement } UNION { ?row ntrkkg:tableRowNumber ?n }
        UNION { ?reference a ntrkkg:Reference } }""")[0]
    for name, cls in (
        ("genes", "Gene"),
        ("fusions", "GeneFusion"),
        ("markers", "ImmunohistochemicalMarker"),
        ("drugs", "Drug"),
    ):
        counts[name] = _rows(f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x a ntrkkg:{cls} }}")[0]["n"]
    rows = _rows("""SELECT ?row ?n ?label WHERE { ?row ntrkkg:tableRowNumber ?n ; rdfs:label ?label }
                    ORDER BY ?n""")
    sizes = site().sizes
    model = site().settings.dist / "model.svg"
    diagram = model.read_text(encoding="utf-8") if model.exists() else None
    return _html(
        "home.html", counts=counts, sizes=sizes, rows=rows, base=_base(), examples=site().examples, diagram=diagram
    )


def _html(template: str, **context: object) -> Response:
    return Response(render_template(template, **context), content_type="text/html; charset=utf-8")


@blueprint.route("/health")
def health() -> Response:
    """Liveness, answered without touching an engine."""
    return Response(json.dumps({"status": "ok"}), content_type="application/json")


@blueprint.route("/stats")
def stats() -> Response:
    """Service-wide counters: graphs, queries, cache, engines, refusals."""
    s = site()
    c = s.service.pool.stats
    body = {
        "triples": sum(s.sizes.values()),
        "graphs": dict(sorted(s.sizes.items())),
        "uptime_seconds": round(time.time() - s.started, 1),
        "queries_served": c.jobs + c.cache_hits,
        "cache_hits": c.cache_hits,
        "cache_bytes": s.service.cache_bytes(),
        "timeouts": c.timeouts,
        "engine_crashes": c.crashes,
        "engines_recycled": c.recycled,
        "refused_busy": c.refused_busy,
        "refused_client_share": c.refused_client,
        "workers": s.settings.workers,
        "engines": s.settings.engines,
        "timeout_seconds": s.settings.timeout,
        "row_cap": s.settings.row_cap,
    }
    return Response(json.dumps(body, indent=2), content_type="application/json")


# --- Downloads ---------------------------------------------------------------------------


def _checksums(dist: Path) -> dict[str, str]:
    sums = {}
    path = dist / "SHA256SUMS"
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            digest, _, name = line.partition("  ")
            sums[name] = digest
    return sums


@blueprint.route("/downloads/")
def downloads() -> Response:
    """The files of the build with size and SHA-256, as HTML or JSON."""
    dist = site().settings.dist
    sums = _checksums(dist)
    files = [
        {"name": p.name, "size": p.stat().st_size, "sha256": sums.get(p.name, "")}
        for p in sorted(dist.iterdir())
        if p.is_file() and not p.name.startswith(".")
    ]
    if request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json":
        return Response(json.dumps(files, indent=2), content_type="application/json")
    return _html("downloads.html", files=files)


@blueprint.route("/downloads/<path:name>")
def download(name: str) -> Response:
    """One file of the build, with ETag and Last-Modified."""
    dist = site().settings.dist.resolve()
    path = (dist / name).resolve()
    if path.parent != dist or not path.is_file():
        abort(404, description=f"no download named {name!r}")
    known = by_suffix(path.suffix) or BY_KEY.get(path.suffix.lstrip("."))
    if path.suffix == ".gz":
        mimetype = "application/gzip"  # served as stored: a client that wants it inflated does so itself
    else:
        mimetype = known.media_type if known else mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    response = send_from_directory(dist, path.name, mimetype=mimetype, conditional=True, etag=True)
    if mimetype.startswith("text/") or mimetype.endswith(("+json", "+xml", "triples", "quads")):
        response.headers["Content-Type"] = f"{mimetype}; charset=utf-8"
    return response


# --- VoID and examples ------------------------------------------------------------------


def _graph_response(graph_name: str) -> Response:
    try:
        fmt = choose(request.accept_mimetypes, request.args.get("format"), graph=True)
    except NotAcceptable as error:
        return problem(406, str(error))
    query = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?graph { ?s ?p ?o } }"
    body = site().service.answer(query, fmt.key, graph=graph_name).body
    response = Response(body, content_type=fmt.content_type)
    response.vary.add("Accept")
    return response


@blueprint.route("/.well-known/void")
@blueprint.route("/sparql/.well-known/void")
def void() -> Response:
    """The VoID description, in the negotiated RDF format."""
    return _graph_response(site().settings.names.void)


@blueprint.route("/.well-known/sparql-examples")
@blueprint.route("/sparql/.well-known/sparql-examples")
def examples() -> Response:
    """The example queries as SHACL SPARQLExecutables, in the negotiated RDF format."""
    return _graph_response(site().settings.names.examples)


# --- The ontology ---------------------------------------------------------------------------


@blueprint.route("/ontology")
def ontology() -> Response:
    """The ontology: its pyLODE page (rendered at build time) or its RDF."""
    override = request.args.get("format")
    if _wants_html(override):
        page = site().settings.dist / "ontology.html"
        if page.is_file():
            return _html_text(page.read_text(encoding="utf-8"))
        if override:
            return problem(404, "this build has no ontology page (build with pyLODE: pip install 'ntrkkg[docs]')")
    try:
        fmt = choose(request.accept_mimetypes, None if override == "html" else override, graph=True)
    except NotAcceptable as error:
        return problem(406, str(error))
    body = ox.serialize(_ontology_triples(), format=fmt.oxigraph, prefixes=dict(converter().bimap))
    response = Response(body, content_type=fmt.content_type)
    response.vary.add("Accept")
    return response


@cache
def _ontology_triples() -> tuple[ox.Triple, ...]:
    return tuple(ox.parse(path=str(resource_dir("ontology") / "ntrkkg.ttl"), format=ox.RdfFormat.TURTLE))


def _html_text(text: str) -> Response:
    return Response(text, content_type="text/html; charset=utf-8")


# --- Entities ---------------------------------------------------------------------------


def _describe(iri: str) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    outgoing = _rows(
        """SELECT ?p ?pl ?o ?ol WHERE { ?this ?p ?o . FILTER(!isBlank(?o))
        OPTIONAL { ?p rdfs:label ?pl } OPTIONAL { ?o rdfs:label ?ol } } ORDER BY ?p ?o""",
        this=iri,
    )
    incoming = _rows(
        """SELECT ?s ?sl ?p ?pl WHERE { GRAPH ?asserted { ?s ?p ?this } FILTER(!isBlank(?s))
        OPTIONAL { ?s rdfs:label ?sl } OPTIONAL { ?p rdfs:label ?pl } } ORDER BY ?p ?s LIMIT 300""",
        this=iri,
        asserted=site().settings.names.asserted,
    )
    return outgoing, incoming


def _external_links(iri: str) -> list[dict[str, str]]:
    """Links to external identifiers, with the label and source each was verified against."""
    return _rows(
        """SELECT ?p ?pl ?o ?label ?source WHERE {
        ?axiom a <http://www.w3.org/2002/07/owl#Axiom> ;
               <http://www.w3.org/2002/07/owl#annotatedSource> ?this ;
               <http://www.w3.org/2002/07/owl#annotatedProperty> ?p ;
               <http://www.w3.org/2002/07/owl#annotatedTarget> ?o .
        OPTIONAL { ?axiom <https://w3id.org/sssom/object_label> ?label }
        OPTIONAL { ?axiom rdfs:comment ?source }
        OPTIONAL { ?p rdfs:label ?pl } } ORDER BY ?p ?o""",
        this=iri,
    )


@blueprint.app_template_filter("curie")
def curie(iri: str) -> str:
    """A short form of an IRI for display (the link keeps the full IRI)."""
    return converter().compress(iri) or iri


def _statements(iri: str) -> list[dict[str, str]]:
    return _rows(
        """SELECT ?statement ?facet ?order ?position ?text
        (GROUP_CONCAT(DISTINCT STR(?n); separator=",") AS ?refs) WHERE {
        { ?statement ntrkkg:tumourType ?this } UNION { ?statement ntrkkg:reportsFusion ?this }
        UNION { ?statement ntrkkg:drug ?this } UNION { ?statement ntrkkg:differentialDiagnosis ?this }
        UNION { ?statement ntrkkg:citesReference ?this }
        UNION { ?statement ntrkkg:hasMarkerFinding/ntrkkg:marker ?this }
        UNION { ?statement ntrkkg:reportsFusion/ntrkkg:involvesGene ?this } UNION { BIND(?this AS ?statement) }
        ?statement a ntrkkg:Statement ; ntrkkg:verbatimText ?text ; ntrkkg:positionInCell ?position ;
                   ntrkkg:facet ?f ; ntrkkg:tumourType ?row .
        ?f rdfs:label ?facet ; ntrkkg:facetOrder ?order .
        OPTIONAL { ?statement ntrkkg:citesReference/ntrkkg:referenceNumber ?n }
    } GROUP BY ?statement ?facet ?order ?position ?text ORDER BY ?statement""",
        this=iri,
    )


@blueprint.route("/<any({}):kind>/<path:rest>".format(",".join(ENTITY_KINDS)))
@blueprint.route("/<any(dataset):kind>", defaults={"rest": ""})
def entity(kind: str, rest: str) -> Response:
    """An IRI of the dataset: its page for browsers, its triples in RDF otherwise."""
    iri = _base() + kind + (f"/{rest}" if rest else "")
    try:
        outgoing, incoming = _describe(iri)
    except ValueError:
        abort(404, description=f"{iri!r} is not an IRI of this dataset")
    if not outgoing and not incoming:
        abort(404, description=f"{iri} is not a resource of this dataset")
    override = request.args.get("format")
    if _wants_html(override):
        label = next((r["o"] for r in outgoing if r["p"] == LABEL), iri.rsplit("/", 1)[-1])
        definition = next((r["o"] for r in outgoing if r["p"] == DEFINITION), None)
        types = [r for r in outgoing if r["p"].endswith("#type")]
        return _html(
            "entity.html",
            iri=iri,
            label=label,
            definition=definition,
            types=types,
            outgoing=outgoing,
            incoming=incoming,
            statements=_statements(iri),
            base=_base(),
            links=_external_links(iri),
            picture=_picture(iri, label),
        )
    try:
        fmt = choose(request.accept_mimetypes, override, graph=True)
    except NotAcceptable as error:
        return problem(406, str(error))
    body = (
        site()
        .service.answer(
            "CONSTRUCT { ?this ?p ?o . ?s ?q ?this } WHERE { { ?this ?p ?o } UNION { ?s ?q ?this } }", fmt.key, this=iri
        )
        .body
    )
    response = Response(body, content_type=fmt.content_type)
    response.vary.add("Accept")
    return response


# --- Pictures -------------------------------------------------------------------------------

_KIND_OF = """SELECT ?kind WHERE {
  { ?this a ?c } UNION { ?this rdfs:subClassOf+ ?c }
  VALUES (?c ?kind) { (ntrkkg:Statement "Statement") (ntrkkg:GeneFusion "GeneFusion") (ntrkkg:Gene "Gene")
    (ntrkkg:ImmunohistochemicalMarker "ImmunohistochemicalMarker") (ntrkkg:Drug "Drug")
    (ntrkkg:Reference "Reference") (ntrkkg:TumourType "TumourType") (ntrkkg:Disease "Disease")
    (ntrkkg:CurationNote "CurationNote") } } LIMIT 1"""

# How a tumour type reaches its genes, markers, drugs and differential diagnoses.
_ROW_NEIGHBOURS = """SELECT DISTINCT ?a ?al ?ak ?rel ?b ?bl ?bk WHERE {
  ?st ntrkkg:tumourType ?this .
  { ?st ntrkkg:reportsFusion ?b BIND(?this AS ?a) BIND("fusion" AS ?rel) BIND("GeneFusion" AS ?bk) }
  UNION { ?st ntrkkg:reportsFusion ?a . ?a ntrkkg:involvesGene ?b BIND("gene" AS ?rel) BIND("GeneFusion" AS ?ak)
          BIND("Gene" AS ?bk) }
  UNION { ?st ntrkkg:hasMarkerFinding/ntrkkg:marker ?b BIND(?this AS ?a) BIND("marker" AS ?rel)
          BIND("ImmunohistochemicalMarker" AS ?bk) }
  UNION { ?st ntrkkg:drug ?b BIND(?this AS ?a) BIND("TRK inhibitor" AS ?rel) BIND("Drug" AS ?bk) }
  UNION { ?st ntrkkg:differentialDiagnosis ?b BIND(?this AS ?a) BIND("differential" AS ?rel) BIND("Disease" AS ?bk) }
  OPTIONAL { ?a rdfs:label ?al } OPTIONAL { ?b rdfs:label ?bl }
}"""

# Any other node: its labelled neighbours, and the rows whose statements mention it.
_NEIGHBOURS = """SELECT DISTINCT ?a ?al ?rel ?b ?bl WHERE {
  { ?this ?p ?b BIND(?this AS ?a) FILTER(isIRI(?b)) }
  UNION { ?a ?p ?this BIND(?this AS ?b) FILTER(isIRI(?a)) }
  UNION { ?st ?q ?this ; ntrkkg:tumourType ?a . ?st a ntrkkg:Statement BIND(?this AS ?b)
          BIND(ntrkkg:tumourType AS ?p) }
  UNION { ?st ?q ?x . ?x ?r ?this . ?st a ntrkkg:Statement ; ntrkkg:tumourType ?a BIND(?this AS ?b)
          BIND(ntrkkg:tumourType AS ?p) }
  ?p rdfs:label ?label . ?a rdfs:label ?al . ?b rdfs:label ?bl .
  BIND(IF(?p = ntrkkg:tumourType && ?b = ?this, "statements mention", ?label) AS ?rel)
  FILTER(?p != <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> && ?a != ?b)
} LIMIT 60"""


def _kind_of(iri: str) -> str:
    rows = _rows(_KIND_OF, this=iri)
    return rows[0]["kind"] if rows else ""


@cache
def _picture(iri: str, label: str) -> str | None:
    if not diagrams.available():
        return None
    base = _base()
    kind = _kind_of(iri)
    edges = []
    if kind == "TumourType":
        for r in _rows(_ROW_NEIGHBOURS, this=iri):
            a = (r["a"], r.get("al", r["a"]), r.get("ak", "TumourType"))
            b = (r["b"], r.get("bl", r["b"]), r["bk"])
            edges.append((a, r["rel"], b))
    else:
        # One edge per pair of nodes; a specific relation wins over the generic "involves gene".
        by_pair: dict[tuple[str, str], dict[str, str]] = {}
        for r in sorted(_rows(_NEIGHBOURS, this=iri), key=lambda r: r["rel"] == "involves gene"):
            by_pair.setdefault((r["a"], r["b"]), r)
        for r in by_pair.values():
            edges.append(((r["a"], r["al"], _kind_of(r["a"])), r["rel"], (r["b"], r["bl"], _kind_of(r["b"]))))
    if not edges:
        return None
    return diagrams.neighbourhood_svg(
        (iri, label, kind), edges, lambda other: other.replace(base, "/", 1) if other.startswith(base) else other
    )
