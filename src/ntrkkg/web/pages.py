"""Linked-data pages, the home page, the ontology, downloads, health and statistics."""

from __future__ import annotations

import json
import mimetypes
import re
import time
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import pyoxigraph as ox
from flask import Blueprint, Response, abort, render_template, request, send_from_directory
from markupsafe import Markup, escape

from ntrkkg import examples as examples_module
from ntrkkg.formats import BY_KEY, GRAPH_FORMATS, NotAcceptable, by_suffix, choose, graph_bytes
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
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
SUBCLASS_OF = "http://www.w3.org/2000/01/rdf-schema#subClassOf"


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


def _names_html() -> bool:
    """True when the client names text/html and likes it at least as much as any RDF format (a browser, not curl)."""
    accept = list(request.accept_mimetypes)
    html = max((q for value, q in accept if value in ("text/html", "application/xhtml+xml")), default=0)
    rdf = max((q for value, q in accept if value in {f.media_type for f in GRAPH_FORMATS}), default=0)
    return html > 0 and html >= rdf


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
    return _html("downloads.html", files=files, built=built)


def _described_files() -> dict[str, str]:
    """File name → its description in the VoID (what the build says each dump holds)."""
    rows = _rows(
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
        return _html(page, turtle=turtle, graph=graph_name, examples=examples_module.examples(_base()))
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
    if _wants_html(override):
        page = site().settings.dist / "ontology.html"
        if page.is_file():
            head, content = _split_page(page.read_text(encoding="utf-8"))
            return _html("ontology.html", head=Markup(head), body=Markup(content))
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


# --- Entities ---------------------------------------------------------------------------


def _describe(iri: str) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    asserted = site().settings.names.asserted
    # ?inferred marks what only the reasoner added, so a page can fold it under the asserted facts.
    outgoing = _rows(
        """SELECT ?p ?pl ?o ?ol ?inferred WHERE { ?this ?p ?o . FILTER(!isBlank(?o))
        BIND(NOT EXISTS { GRAPH ?asserted { ?this ?p ?o } } AS ?inferred)
        OPTIONAL { ?p rdfs:label ?pl } OPTIONAL { ?o rdfs:label ?ol } } ORDER BY ?p ?o""",
        this=iri,
        asserted=asserted,
    )
    incoming = _rows(
        """SELECT ?s ?sl ?p ?pl WHERE { GRAPH ?asserted { ?s ?p ?this } FILTER(!isBlank(?s))
        OPTIONAL { ?s rdfs:label ?sl } OPTIONAL { ?p rdfs:label ?pl } } ORDER BY ?p ?s LIMIT 300""",
        this=iri,
        asserted=asserted,
    )
    _name_unlabelled(outgoing, "o", "ol")
    _name_unlabelled(incoming, "s", "sl")
    # Labels of vocabulary terms (ours and others') get one style; labels of the data stay as curated.
    ontology = _base() + "ontology"
    for row in (*outgoing, *incoming):
        if "pl" in row:
            row["pl"] = tidy_label(row["pl"])
        if "ol" in row and (row["p"] == RDF_TYPE or row["o"].startswith(ontology)):
            row["ol"] = tidy_label(row["ol"])
    return outgoing, incoming


# Statements, cells and findings carry no rdfs:label; they are named by what they say.
_TITLES = """SELECT ?x ?row ?facet ?position ?parts ?kind ?n WHERE {
  VALUES ?x { %s }
  { ?x a ntrkkg:Statement ; ntrkkg:partOfCell ?cell ; ntrkkg:positionInCell ?position .
    { SELECT ?cell (COUNT(?part) AS ?parts) WHERE { ?part ntrkkg:partOfCell ?cell } GROUP BY ?cell }
    BIND(?x AS ?statement) BIND("statement" AS ?kind) }
  UNION { ?x a ntrkkg:TableCell BIND(?x AS ?statement) BIND("cell" AS ?kind) }
  UNION { ?statement ntrkkg:hasMarkerFinding|ntrkkg:hasImagingFinding|ntrkkg:hasCohortSubgroup ?x ;
            ntrkkg:positionInCell ?position ; ntrkkg:partOfCell ?cell .
          { SELECT ?cell (COUNT(?part) AS ?parts) WHERE { ?part ntrkkg:partOfCell ?cell } GROUP BY ?cell }
          ?x a ?class . ?class rdfs:label ?kind . FILTER(STRSTARTS(STR(?class), STR(ntrkkg:))) }
  ?statement ntrkkg:tumourType/rdfs:label ?row ; ntrkkg:facet/rdfs:label ?facet .
}"""


def titles(iris: Iterable[str]) -> dict[str, str]:
    """Titles such as "IFS-like tumor with related kinase fusion — genetics (part 2 of 3)" for unlabelled nodes."""
    wanted = sorted({i for i in iris if i.startswith(_base())})
    if not wanted:
        return {}
    found: dict[str, str] = {}
    for r in _rows(_TITLES % " ".join(f"<{i}>" for i in wanted)):
        title = f"{r['row']} — {r['facet']}"
        if r["kind"] == "cell":
            title += " (table cell)"
        elif int(r.get("parts", "1")) > 1:
            title += f" (part {r['position']} of {r['parts']})"
        if r["kind"] != "statement" and r["kind"] != "cell":
            title += f", {r['kind']} {r['x'].rsplit('/', 1)[-1]}"
        found[r["x"]] = title
    return found


def _name_unlabelled(rows: list[dict[str, str]], node: str, label: str) -> None:
    named = titles(r[node] for r in rows if label not in r)
    for r in rows:
        if label not in r and r[node] in named:
            r[label] = named[r[node]]


_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")


def tidy_label(text: str) -> str:
    """Vocabulary labels in one style: lower case words, spaces ("has_subject", "wasQuotedFrom", "References")."""
    if " " not in text and "_" not in text:
        text = _CAMEL.sub(" ", text)
    words = text.replace("_", " ").split()
    # Words in capitals (NTRK, TRK, IRI) keep them; capitalised common words do not.
    return " ".join(w.lower() if w[:1].isupper() and w[1:].islower() else w for w in words)


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
    """The statements a page shows: in the table's facet order (``ntrkkg:facetOrder``), then by position."""
    rows = _rows(
        """SELECT ?statement ?row ?rowLabel ?facet ?heading ?order ?position ?text
        (GROUP_CONCAT(DISTINCT STR(?n); separator=",") AS ?refs) WHERE {
        { ?statement ntrkkg:tumourType ?this } UNION { ?statement ntrkkg:reportsFusion ?this }
        UNION { ?statement ntrkkg:drug ?this } UNION { ?statement ntrkkg:differentialDiagnosis ?this }
        UNION { ?statement ntrkkg:citesReference ?this }
        UNION { ?statement ntrkkg:hasMarkerFinding/ntrkkg:marker ?this }
        UNION { ?statement ntrkkg:reportsFusion/ntrkkg:involvesGene ?this } UNION { BIND(?this AS ?statement) }
        ?statement a ntrkkg:Statement ; ntrkkg:verbatimText ?text ; ntrkkg:positionInCell ?position ;
                   ntrkkg:facet ?f ; ntrkkg:tumourType ?row .
        ?row rdfs:label ?rowLabel .
        ?f rdfs:label ?facet ; ntrkkg:facetOrder ?order ; ntrkkg:tableHeading ?heading .
        OPTIONAL { ?statement ntrkkg:citesReference/ntrkkg:referenceNumber ?n }
    } GROUP BY ?statement ?row ?rowLabel ?facet ?heading ?order ?position ?text""",
        this=iri,
    )
    rows.sort(key=lambda r: (r["row"] != iri, r["rowLabel"], int(r["order"]), int(r["position"])))
    findings = _findings([r["statement"] for r in rows])
    for r in rows:
        r["findings"] = findings.get(r["statement"], [])  # type: ignore[assignment]
    return rows


# What the statement says, structured: its own ntrkkg facts and those of its findings and subgroups,
# as asserted (the bookkeeping — type, row, facet, cell, text, citations — is shown elsewhere).
_FINDINGS = """SELECT ?statement ?group ?p ?pl ?o ?ol WHERE {
  VALUES ?statement { %s }
  GRAPH ?asserted {
    { ?statement ?p ?o BIND(?statement AS ?group) }
    UNION { ?statement ntrkkg:hasMarkerFinding|ntrkkg:hasImagingFinding|ntrkkg:hasCohortSubgroup ?group .
            ?group ?p ?o }
  }
  FILTER(STRSTARTS(STR(?p), STR(ntrkkg:)) && ?p NOT IN (ntrkkg:tumourType, ntrkkg:facet, ntrkkg:partOfCell,
    ntrkkg:positionInCell, ntrkkg:verbatimText, ntrkkg:citesReference, ntrkkg:quotedFrom, ntrkkg:hasCurationNote,
    ntrkkg:hasMarkerFinding, ntrkkg:hasImagingFinding, ntrkkg:hasCohortSubgroup))
  OPTIONAL { ?p rdfs:label ?pl } OPTIONAL { ?o rdfs:label ?ol }
}"""


def _findings(statements: list[str]) -> dict[str, list[list[dict[str, str]]]]:
    """Per statement, its structured facts in groups (the statement's own, then one per finding)."""
    if not statements:
        return {}
    groups: dict[str, dict[str, list[dict[str, str]]]] = {}
    values = " ".join(f"<{s}>" for s in sorted(set(statements)))
    for r in _rows(_FINDINGS % values, asserted=site().settings.names.asserted):
        r["pl"] = tidy_label(r.get("pl", r["p"].rsplit("#", 1)[-1]))
        r["text"] = r.get("ol") or _number(r["o"])
        groups.setdefault(r["statement"], {}).setdefault(r["group"], []).append(r)
    found: dict[str, list[list[dict[str, str]]]] = {}
    for statement, by_group in groups.items():
        ordered = sorted(by_group.items(), key=lambda item: (item[0] != statement, item[0]))
        # Links before numbers and wordings; then by the property's label.
        found[statement] = [
            sorted(facts, key=lambda r: (not r["o"].startswith("http"), r["pl"], r["text"])) for _, facts in ordered
        ]
    return found


def _number(text: str) -> str:
    return text[:-2] if re.fullmatch(r"\d+\.0", text) else text


_SOURCE = re.compile(
    r"(?:github:)?(?P<repo>[\w.-]+/[\w.-]+)(?::(?P<path>[^@\s]+)@(?P<commit>[0-9a-f]{7,40})"
    r"|@(?P<commit2>[0-9a-f]{7,40}):(?P<path2>[^\s]+))"
)


@blueprint.app_template_filter("provenance")
def provenance(text: str) -> Markup:
    """A mapping's verification note with each source file as a readable link: file, project and version."""
    text = text.removeprefix("Verified: ")
    out: list[str] = []
    last = 0
    for m in _SOURCE.finditer(text):
        path = m.group("path") or m.group("path2") or ""
        commit = m.group("commit") or m.group("commit2") or ""
        out.append(str(escape(text[last : m.start()])))
        url = f"https://github.com/{m.group('repo')}/blob/{commit}/{path}"
        out.append(
            f'<a href="{escape(url)}" rel="external">{escape(path.rsplit("/", 1)[-1])}</a> '
            f"({escape(m.group('repo'))}, version {escape(commit[:7])})"
        )
        last = m.end()
    out.append(str(escape(text[last:])))
    return Markup("".join(out))


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
        from ntrkkg.web.search import not_found  # its own module: redirects by case, nearest matches

        return not_found(iri)
    override = request.args.get("format")
    if _wants_html(override):
        label = next((r["o"] for r in outgoing if r["p"] == LABEL), None) or titles([iri]).get(
            iri, iri.rsplit("/", 1)[-1]
        )
        definition = next((r["o"] for r in outgoing if r["p"] == DEFINITION), None)
        types = [r for r in outgoing if r["p"] == RDF_TYPE and r["inferred"] == "false"]
        for r in types:
            r["ol"] = tidy_label(r.get("ol", ""))
        # A disease is a class of the data: say which of our kinds it is (tumour type, disease).
        kinds = [r for r in outgoing if r["p"] == SUBCLASS_OF and r["o"].startswith(_base() + "ontology#")]
        statements = _statements(iri)
        return _html(
            "entity.html",
            iri=iri,
            label=label,
            definition=definition,
            types=types,
            kinds=kinds,
            asserted=[r for r in outgoing if r["inferred"] == "false"],
            inferred=[r for r in outgoing if r["inferred"] != "false"],
            incoming=incoming,
            statements=statements,
            is_row=any(s["row"] == iri for s in statements),
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
            # A blank node comes with its own triples (an owl:Axiom's annotations), never alone.
            """CONSTRUCT { ?this ?p ?o . ?o ?op ?oo . ?s ?q ?this . ?s ?sp ?so } WHERE {
            { ?this ?p ?o OPTIONAL { ?o ?op ?oo FILTER(isBlank(?o)) } }
            UNION { ?s ?q ?this OPTIONAL { ?s ?sp ?so FILTER(isBlank(?s)) } } }""",
            fmt.key,
            this=iri,
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
