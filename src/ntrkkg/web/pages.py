"""The site's own pages: home, the ontology, VoID and the examples, downloads, health and statistics."""

from __future__ import annotations

import json
import mimetypes
import re
import time
from functools import cache
from pathlib import Path

import pyoxigraph as ox
from flask import Blueprint, Response, abort, render_template, request, send_from_directory
from markupsafe import Markup

from ntrkkg.build import examples as examples_module
from ntrkkg.formats import BY_KEY, GRAPH_FORMATS, NotAcceptable, by_suffix, choose, graph_bytes
from ntrkkg.resources import resource_dir
from ntrkkg.sparql.service import QueryFailed
from ntrkkg.web.endpoint import STATUS
from ntrkkg.web.protocol import problem, site

blueprint = Blueprint("pages", __name__)


def dataset_base() -> str:
    """The base IRI of the served dataset."""
    return site().settings.base


def page_rows(query: str, **bindings: str) -> list[dict[str, str]]:
    """Rows of one of the pages' own queries, through the same door and engines as any query."""
    return site().service.values(query, **bindings)


def wants_html(override: str | None) -> bool:
    """True when the page should be HTML: ``format=html``, or HTML preferred over every RDF format."""
    if override:
        return override == "html"
    offers = ["text/html"] + [f.media_type for f in GRAPH_FORMATS]
    return request.accept_mimetypes.best_match(offers, default="text/html") == "text/html"


def _names_html() -> bool:
    """True when the client names text/html and likes it at least as much as any RDF format (a browser, not curl)."""
    accept = list(request.accept_mimetypes)
    html = max((q for value, q in accept if value in ("text/html", "application/xhtml+xml")), default=0)
    rdf = max((q for value, q in accept if value in {f.media_type for f in GRAPH_FORMATS}), default=0)
    return html > 0 and html >= rdf


@blueprint.app_errorhandler(QueryFailed)
def _failed(error: QueryFailed) -> Response:
    return problem(STATUS.get(error.outcome.status, 500), error.outcome.message)


@blueprint.route("/")
def home() -> Response:
    """The home page: counts, the rows of the table, the model diagram."""
    counts = page_rows("""SELECT
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
        counts[name] = page_rows(f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x a ntrkkg:{cls} }}")[0]["n"]
    rows = page_rows("""SELECT ?row ?n ?label WHERE { ?row ntrkkg:tableRowNumber ?n ; rdfs:label ?label }
                    ORDER BY ?n""")
    sizes = site().sizes
    model = site().settings.dist / "model.svg"
    diagram = model.read_text(encoding="utf-8") if model.exists() else None
    return html_page(
        "home.html",
        counts=counts,
        sizes=sizes,
        rows=rows,
        base=dataset_base(),
        examples=site().examples,
        diagram=diagram,
    )


def html_page(template: str, **context: object) -> Response:
    """A template rendered as an HTML response."""
    return Response(render_template(template, **context), content_type="text/html; charset=utf-8")


@blueprint.route("/favicon.ico")
def favicon() -> Response:
    """The site's icon (an SVG), for browsers that ask for /favicon.ico."""
    response = send_from_directory(Path(__file__).parent / "static", "favicon.svg", mimetype="image/svg+xml")
    response.cache_control.max_age = 86400
    return response


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
    """The files of the build with size, SHA-256 and what each holds (from the VoID), as HTML or JSON."""
    dist = site().settings.dist
    sums = _checksums(dist)
    described = _described_files()
    files = [
        {
            "name": p.name,
            "size": p.stat().st_size,
            "sha256": sums.get(p.name, ""),
            "description": described.get(p.name, ""),
            "inferred": "inferred" in described.get(p.name, ""),
        }
        for p in sorted(dist.iterdir())
        if p.is_file() and not p.name.startswith(".")
    ]
    if request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json":
        return Response(json.dumps(files, indent=2), content_type="application/json")
    stamp = dist / "SHA256SUMS"  # written last by every build
    built = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(stamp.stat().st_mtime)) if stamp.exists() else None
    return html_page("downloads.html", files=files, built=built)


def _described_files() -> dict[str, str]:
    """File name → its description in the VoID (what the build says each dump holds)."""
    rows = page_rows(
        """SELECT ?title ?description WHERE { GRAPH ?void {
        ?d a <http://www.w3.org/ns/dcat#Distribution> ; dcterms:title ?title ; dcterms:description ?description } }""",
        void=site().settings.names.void,
    )
    # The two files that describe the others are not distributions of the dataset themselves.
    found = {"SHA256SUMS": "SHA-256 checksum of every file", "void.ttl": "VoID and DCAT description of the dataset"}
    found.update((r["title"], r["description"]) for r in rows)
    return found


@blueprint.app_template_filter("human_size")
def human_size(size: int) -> str:
    """Bytes as a person reads them: 812 bytes, 60.4 kB, 1.2 MB (decimal units)."""
    if size < 1000:
        return f"{size} bytes"
    value = size / 1000
    for unit in ("kB", "MB"):
        if value < 1000:
            return f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.1f} GB"


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


def _graph_response(graph_name: str, page: str) -> Response:
    override = request.args.get("format")
    if override == "html" or (not override and _names_html()):  # a browser: a page about the graph, with its Turtle
        turtle = site().service.answer(_GRAPH, "turtle", graph=graph_name).body.decode("utf-8")
        return html_page(page, turtle=turtle, graph=graph_name, examples=examples_module.examples(dataset_base()))
    try:
        fmt = choose(request.accept_mimetypes, override, graph=True)
    except NotAcceptable as error:
        return problem(406, str(error))
    body = site().service.answer(_GRAPH, fmt.key, graph=graph_name).body
    response = Response(body, content_type=fmt.content_type)
    response.vary.add("Accept")
    return response


_GRAPH = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?graph { ?s ?p ?o } }"


@blueprint.route("/.well-known/void")
@blueprint.route("/sparql/.well-known/void")
def void() -> Response:
    """The VoID description: a page for browsers, else the negotiated RDF format."""
    return _graph_response(site().settings.names.void, "void.html")


@blueprint.route("/.well-known/sparql-examples")
@blueprint.route("/sparql/.well-known/sparql-examples")
def examples() -> Response:
    """The example queries (SHACL SPARQLExecutables): a page for browsers, else the negotiated RDF format."""
    return _graph_response(site().settings.names.examples, "examples.html")


# --- The ontology ---------------------------------------------------------------------------


@blueprint.route("/ontology")
def ontology() -> Response:
    """The ontology: its pyLODE page (rendered at build time) or its RDF."""
    override = request.args.get("format")
    if wants_html(override):
        page = site().settings.dist / "ontology.html"
        if page.is_file():
            head, content = _split_page(page.read_text(encoding="utf-8"))
            return html_page("ontology.html", head=Markup(head), body=Markup(content))
        if override:
            return problem(404, "this build has no ontology page (build with pyLODE: pip install 'ntrkkg[docs]')")
    try:
        fmt = choose(request.accept_mimetypes, None if override == "html" else override, graph=True)
    except NotAcceptable as error:
        return problem(406, str(error))
    body = graph_bytes(_ontology_triples(), fmt)  # sorted, declaring the prefixes it uses
    response = Response(body, content_type=fmt.content_type)
    response.vary.add("Accept")
    return response


@cache
def _ontology_triples() -> tuple[ox.Triple, ...]:
    return tuple(ox.parse(path=str(resource_dir("ontology") / "ntrkkg.ttl"), format=ox.RdfFormat.TURTLE))


def _split_page(page: str) -> tuple[str, str]:
    """pyLODE's styles and structured data, and its body, to be shown inside the site's own page."""
    head = page[page.find("<head>") + 6 : page.find("</head>")]
    head = re.sub(r"<title>.*?</title>|<meta[^>]*>", "", head, flags=re.S)
    body = page[page.find(">", page.find("<body")) + 1 : page.rfind("</body>")]
    return head, body
