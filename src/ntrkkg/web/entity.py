"""Linked-data pages: one page per entity of the dataset, in HTML or any RDF format."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

import pyoxigraph as ox
from flask import Blueprint, Response, abort, request
from markupsafe import Markup, escape

from ntrkkg.formats import NotAcceptable, choose
from ntrkkg.outputs import diagrams
from ntrkkg.prefixes import converter
from ntrkkg.web.pages import dataset_base, html_page, page_rows, wants_html
from ntrkkg.web.protocol import problem, site
from ntrkkg.web.search import not_found

blueprint = Blueprint("entities", __name__)

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


def _describe(iri: str) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    asserted = site().settings.names.asserted
    # ?inferred marks what only the reasoner added, so a page can fold it under the asserted facts.
    outgoing = page_rows(
        """SELECT ?p ?pl ?o ?ol ?inferred WHERE { ?this ?p ?o . FILTER(!isBlank(?o))
        BIND(NOT EXISTS { GRAPH ?asserted { ?this ?p ?o } } AS ?inferred)
        OPTIONAL { ?p rdfs:label ?pl } OPTIONAL { ?o rdfs:label ?ol } } ORDER BY ?p ?o""",
        this=iri,
        asserted=asserted,
    )
    incoming = page_rows(
        """SELECT ?s ?sl ?p ?pl WHERE { GRAPH ?asserted { ?s ?p ?this } FILTER(!isBlank(?s))
        OPTIONAL { ?s rdfs:label ?sl } OPTIONAL { ?p rdfs:label ?pl } } ORDER BY ?p ?s LIMIT 300""",
        this=iri,
        asserted=asserted,
    )
    _name_unlabelled(outgoing, "o", "ol")
    _name_unlabelled(incoming, "s", "sl")
    # Labels of vocabulary terms (ours and others') get one style; labels of the data stay as curated.
    ontology = dataset_base() + "ontology"
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
  UNION { ?hasPart rdfs:subPropertyOf <http://purl.obolibrary.org/obo/BFO_0000051> . ?statement ?hasPart ?x ;
            ntrkkg:positionInCell ?position ; ntrkkg:partOfCell ?cell .
          { SELECT ?cell (COUNT(?part) AS ?parts) WHERE { ?part ntrkkg:partOfCell ?cell } GROUP BY ?cell }
          ?x a ?class . ?class rdfs:label ?kind . FILTER(STRSTARTS(STR(?class), STR(ntrkkg:))) }
  ?statement ntrkkg:tumourType/rdfs:label ?row ; ntrkkg:facet/rdfs:label ?facet .
}"""


def _values(iris: Iterable[str]) -> str:
    """IRIs as the terms of a VALUES block, each checked by Oxigraph's IRI parser (ValueError otherwise)."""
    return " ".join(str(ox.NamedNode(i)) for i in iris)


def titles(iris: Iterable[str]) -> dict[str, str]:
    """Titles such as "IFS-like tumor with related kinase fusion — genetics (part 2 of 3)" for unlabelled nodes."""
    wanted = sorted({i for i in iris if i.startswith(dataset_base())})
    if not wanted:
        return {}
    found: dict[str, str] = {}
    for r in page_rows(_TITLES % _values(wanted)):
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
    return page_rows(
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
    rows = page_rows(
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
# A statement's parts (marker, imaging and histological findings, outcomes, cohort subgroups) are the
# objects of its sub-properties of BFO "has part"; each part is shown as one group of facts.
_FINDINGS = """SELECT ?statement ?group ?p ?pl ?o ?ol WHERE {
  VALUES ?statement { %s }
  GRAPH ?asserted {
    { ?statement ?p ?o BIND(?statement AS ?group)
      FILTER NOT EXISTS { ?p rdfs:subPropertyOf <http://purl.obolibrary.org/obo/BFO_0000051> } }
    UNION { ?part rdfs:subPropertyOf <http://purl.obolibrary.org/obo/BFO_0000051> .
            ?statement ?part ?group . ?group ?p ?o }
  }
  FILTER(STRSTARTS(STR(?p), STR(ntrkkg:)) && ?p NOT IN (ntrkkg:tumourType, ntrkkg:facet, ntrkkg:partOfCell,
    ntrkkg:positionInCell, ntrkkg:verbatimText, ntrkkg:citesReference, ntrkkg:quotedFrom, ntrkkg:hasCurationNote))
  OPTIONAL { ?p rdfs:label ?pl } OPTIONAL { ?o rdfs:label ?ol }
}"""


def _findings(statements: list[str]) -> dict[str, list[list[dict[str, str]]]]:
    """Per statement, its structured facts in groups (the statement's own, then one per finding)."""
    if not statements:
        return {}
    groups: dict[str, dict[str, list[dict[str, str]]]] = {}
    values = _values(sorted(set(statements)))
    for r in page_rows(_FINDINGS % values, asserted=site().settings.names.asserted):
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
    iri = dataset_base() + kind + (f"/{rest}" if rest else "")
    try:
        outgoing, incoming = _describe(iri)
    except ValueError:
        abort(404, description=f"{iri!r} is not an IRI of this dataset")
    if not outgoing and not incoming:
        return not_found(iri)  # a redirect when only the case differs, else the nearest matches
    override = request.args.get("format")
    if wants_html(override):
        label = next((r["o"] for r in outgoing if r["p"] == LABEL), None) or titles([iri]).get(
            iri, iri.rsplit("/", 1)[-1]
        )
        definition = next((r["o"] for r in outgoing if r["p"] == DEFINITION), None)
        types = [r for r in outgoing if r["p"] == RDF_TYPE and r["inferred"] == "false"]
        for r in types:
            r["ol"] = tidy_label(r.get("ol", ""))
        # A disease is a class of the data: say which of our kinds it is (tumour type, disease).
        kinds = [r for r in outgoing if r["p"] == SUBCLASS_OF and r["o"].startswith(dataset_base() + "ontology#")]
        statements = _statements(iri)
        return html_page(
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
            base=dataset_base(),
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
    rows = page_rows(_KIND_OF, this=iri)
    return rows[0]["kind"] if rows else ""


@cache
def _picture(iri: str, label: str) -> str | None:
    if not diagrams.available():
        return None
    base = dataset_base()
    kind = _kind_of(iri)
    edges = []
    if kind == "TumourType":
        for r in page_rows(_ROW_NEIGHBOURS, this=iri):
            a = (r["a"], r.get("al", r["a"]), r.get("ak", "TumourType"))
            b = (r["b"], r.get("bl", r["b"]), r["bk"])
            edges.append((a, r["rel"], b))
    else:
        # One edge per pair of nodes; a specific relation wins over the generic "involves gene".
        by_pair: dict[tuple[str, str], dict[str, str]] = {}
        for r in sorted(page_rows(_NEIGHBOURS, this=iri), key=lambda r: r["rel"] == "involves gene"):
            by_pair.setdefault((r["a"], r["b"]), r)
        for r in by_pair.values():
            edges.append(((r["a"], r["al"], _kind_of(r["a"])), r["rel"], (r["b"], r["bl"], _kind_of(r["b"]))))
    if not edges:
        return None
    return diagrams.neighbourhood_svg(
        (iri, label, kind), edges, lambda other: other.replace(base, "/", 1) if other.startswith(base) else other
    )
