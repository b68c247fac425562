"""Linked-data pages, the home page, the ontology, downloads, health and statistics."""

from __future__ import annotations

import json
import mimetypes
from functools import cache
from pathlib import Path

import pyoxigraph as ox
from flask import Blueprint, Response, abort, current_app, render_template, request, send_from_directory

from ntrkkg.web.formats import GRAPH_FORMATS, NotAcceptable, choose
from ntrkkg.web.sparql import problem, service, uptime

blueprint = Blueprint("pages", __name__)

ENTITY_KINDS = ("gene", "marker", "fusion", "drug", "reference", "disease", "modality", "sequence",
                "note", "cell", "statement", "table", "graph", "dataset")
DUMP_TYPES = {".svg": "image/svg+xml", ".ttl": "text/turtle", ".nt": "application/n-triples",
              ".nq": "application/n-quads",
              ".jsonld": "application/ld+json", ".rdf": "application/rdf+xml", ".gz": "application/gzip",
              ".tsv": "text/tab-separated-values", "": "text/plain"}
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
DEFINITION = "http://www.w3.org/2004/02/skos/core#definition"
PREFIXES = ("PREFIX ntrkkg: <https://w3id.org/ntrkkg/ontology#>\n"
            "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n")


def _store() -> ox.Store:
    return service().engines.store


def _base() -> str:
    return current_app.extensions["ntrkkg.base"]  # type: ignore[no-any-return]


def _bind(query: str, **bindings: str) -> str:
    """Put IRIs in place of ``?name`` variables; NamedNode rejects anything that is not an IRI."""
    for name, value in bindings.items():
        query = query.replace(f"?{name}", str(ox.NamedNode(value)))
    return query


def _rows(query: str, **bindings: str) -> list[dict[str, str]]:
    names = current_app.extensions["ntrkkg.names"]
    results = _store().query(PREFIXES + _bind(query, **bindings),
                             default_graph=[ox.NamedNode(g) for g in names.default])
    assert isinstance(results, ox.QuerySolutions)
    variables = [v.value for v in results.variables]
    return [{v: s[v].value for v in variables if s[v] is not None} for s in results]


def _wants_html(override: str | None) -> bool:
    if override:
        return override == "html"
    offers = ["text/html"] + [f.media_type for f in GRAPH_FORMATS]
    return request.accept_mimetypes.best_match(offers, default="text/html") == "text/html"


@blueprint.route("/")
def home() -> Response:
    counts = _rows("""SELECT
        (COUNT(DISTINCT ?statement) AS ?statements) (COUNT(DISTINCT ?row) AS ?rows)
        (COUNT(DISTINCT ?reference) AS ?references) WHERE {
        { ?statement a ntrkkg:Statement } UNION { ?row ntrkkg:tableRowNumber ?n }
        UNION { ?reference a ntrkkg:Reference } }""")[0]
    for name, cls in (("genes", "Gene"), ("fusions", "GeneFusion"), ("markers", "ImmunohistochemicalMarker"),
                      ("drugs", "Drug")):
        counts[name] = _rows(f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x a ntrkkg:{cls} }}")[0]["n"]
    rows = _rows("""SELECT ?row ?n ?label WHERE { ?row ntrkkg:tableRowNumber ?n ; rdfs:label ?label }
                    ORDER BY ?n""")
    sizes = current_app.extensions["ntrkkg.sizes"]
    model = service().settings.dist / "model.svg"
    diagram = model.read_text(encoding="utf-8") if model.exists() else None
    return _html("home.html", counts=counts, sizes=sizes, rows=rows, base=_base(),
                 examples=service().examples, diagram=diagram)


def _html(template: str, **context: object) -> Response:
    return Response(render_template(template, **context), content_type="text/html; charset=utf-8")


@blueprint.route("/health")
def health() -> Response:
    return Response(json.dumps({"status": "ok"}), content_type="application/json")


@blueprint.route("/stats")
def stats() -> Response:
    svc = service()
    sizes = current_app.extensions["ntrkkg.sizes"]
    body = {"triples": sum(sizes.values()), "graphs": {g: n for g, n in sorted(sizes.items())},
            "uptime_seconds": round(uptime(), 1), "queries_served": svc.queries_served,
            "timeout_seconds": svc.settings.timeout, "row_cap": svc.settings.row_cap}
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
    dist = service().settings.dist
    sums = _checksums(dist)
    files = [{"name": p.name, "size": p.stat().st_size, "sha256": sums.get(p.name, "")}
             for p in sorted(dist.iterdir()) if p.is_file() and not p.name.startswith(".")]
    if request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json":
        return Response(json.dumps(files, indent=2), content_type="application/json")
    return _html("downloads.html", files=files)


@blueprint.route("/downloads/<path:name>")
def download(name: str) -> Response:
    dist = service().settings.dist.resolve()
    path = (dist / name).resolve()
    if path.parent != dist or not path.is_file():
        abort(404, description=f"no download named {name!r}")
    mimetype = DUMP_TYPES.get(path.suffix, mimetypes.guess_type(path.name)[0] or "application/octet-stream")
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
    query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph_name}> {{ ?s ?p ?o }} }}"
    body = _store().query(query).serialize(format=fmt.oxigraph)
    response = Response(body, content_type=fmt.content_type)
    response.vary.add("Accept")
    return response


@blueprint.route("/.well-known/void")
@blueprint.route("/sparql/.well-known/void")
def void() -> Response:
    return _graph_response(current_app.extensions["ntrkkg.names"].void)


@blueprint.route("/.well-known/sparql-examples")
@blueprint.route("/sparql/.well-known/sparql-examples")
def examples() -> Response:
    return _graph_response(current_app.extensions["ntrkkg.names"].examples)


# --- The ontology ---------------------------------------------------------------------------

@cache
def _ontology_html(source: str) -> str:
    from ntrkkg.ontology_docs import render_html

    return render_html(Path(source))


@blueprint.route("/ontology")
def ontology() -> Response:
    from ntrkkg.resources import resource_dir

    source = resource_dir("ontology") / "ntrkkg.ttl"
    override = request.args.get("format")
    if _wants_html(override):
        try:
            return _html_text(_ontology_html(str(source)))
        except Exception as error:  # documentation is optional; the RDF is not
            current_app.logger.warning("ontology documentation unavailable: %s", error)
            return problem(406, "HTML documentation is not available here; ask for text/turtle")
    try:
        fmt = choose(request.accept_mimetypes, override, graph=True)
    except NotAcceptable as error:
        return problem(406, str(error))
    store = ox.Store()
    store.bulk_load(path=str(source), format=ox.RdfFormat.TURTLE)
    body = store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }").serialize(format=fmt.oxigraph)
    response = Response(body, content_type=fmt.content_type)
    response.vary.add("Accept")
    return response


def _html_text(text: str) -> Response:
    return Response(text, content_type="text/html; charset=utf-8")


# --- Entities ---------------------------------------------------------------------------

def _describe(iri: str) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    outgoing = _rows("""SELECT ?p ?pl ?o ?ol WHERE { ?this ?p ?o . FILTER(!isBlank(?o))
        OPTIONAL { ?p rdfs:label ?pl } OPTIONAL { ?o rdfs:label ?ol } } ORDER BY ?p ?o""", this=iri)
    asserted = current_app.extensions["ntrkkg.names"].asserted
    incoming = _rows(f"""SELECT ?s ?sl ?p ?pl WHERE {{ GRAPH <{asserted}> {{ ?s ?p ?this }} FILTER(!isBlank(?s))
        OPTIONAL {{ ?s rdfs:label ?sl }} OPTIONAL {{ ?p rdfs:label ?pl }} }} ORDER BY ?p ?s LIMIT 300""", this=iri)
    return outgoing, incoming


def _external_links(iri: str) -> list[dict[str, str]]:
    """Links to external identifiers, with the label and source each was verified against."""
    return _rows("""SELECT ?p ?pl ?o ?label ?source WHERE {
        ?axiom a <http://www.w3.org/2002/07/owl#Axiom> ;
               <http://www.w3.org/2002/07/owl#annotatedSource> ?this ;
               <http://www.w3.org/2002/07/owl#annotatedProperty> ?p ;
               <http://www.w3.org/2002/07/owl#annotatedTarget> ?o .
        OPTIONAL { ?axiom <https://w3id.org/sssom/object_label> ?label }
        OPTIONAL { ?axiom rdfs:comment ?source }
        OPTIONAL { ?p rdfs:label ?pl } } ORDER BY ?p ?o""", this=iri)


DISPLAY_PREFIXES = (
    ("rdf:", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"), ("rdfs:", "http://www.w3.org/2000/01/rdf-schema#"),
    ("owl:", "http://www.w3.org/2002/07/owl#"), ("xsd:", "http://www.w3.org/2001/XMLSchema#"),
    ("skos:", "http://www.w3.org/2004/02/skos/core#"), ("dcterms:", "http://purl.org/dc/terms/"),
    ("prov:", "http://www.w3.org/ns/prov#"), ("ntrkkg:", "https://w3id.org/ntrkkg/ontology#"),
)


@blueprint.app_template_filter("curie")
def curie(iri: str) -> str:
    """A short form of an IRI for display (the link keeps the full IRI)."""
    for prefix, namespace in DISPLAY_PREFIXES:
        if iri.startswith(namespace):
            return prefix + iri[len(namespace):]
    return _external_converter().compress(iri) or iri


@cache
def _external_converter():  # type: ignore[no-untyped-def]
    from ntrkkg.mappings import converter

    return converter(_base())


def _statements(iri: str) -> list[dict[str, str]]:
    return _rows("""SELECT ?statement ?facet ?order ?position ?text
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
    } GROUP BY ?statement ?facet ?order ?position ?text ORDER BY ?statement""", this=iri)


@blueprint.route("/<any({}):kind>/<path:rest>".format(",".join(ENTITY_KINDS)))
@blueprint.route("/<any(dataset):kind>", defaults={"rest": ""})
def entity(kind: str, rest: str) -> Response:
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
        return _html("entity.html", iri=iri, label=label, definition=definition, types=types,
                     outgoing=outgoing, incoming=incoming, statements=_statements(iri), base=_base(),
                     links=_external_links(iri),
                     picture=_picture(iri, label))
    try:
        fmt = choose(request.accept_mimetypes, override, graph=True)
    except NotAcceptable as error:
        return problem(406, str(error))
    names = current_app.extensions["ntrkkg.names"]
    results = _store().query(
        _bind("CONSTRUCT { ?this ?p ?o . ?s ?q ?this } WHERE { { ?this ?p ?o } UNION { ?s ?q ?this } }", this=iri),
        default_graph=[ox.NamedNode(g) for g in names.default])
    response = Response(results.serialize(format=fmt.oxigraph), content_type=fmt.content_type)
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
    from ntrkkg import diagrams

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
    return diagrams.neighbourhood_svg((iri, label, kind), edges,
                                      lambda other: other.replace(base, "/", 1) if other.startswith(base) else other)
