"""``/sparql`` for people and crawlers: the Service Description and the query editor; the site the pages share."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, render_template, request
from rdflib import Graph

from ntrkkg.build.examples import examples
from ntrkkg.config import Settings
from ntrkkg.formats import GRAPH_FORMATS, NotAcceptable, choose, graph_bytes
from ntrkkg.namespaces import NTRKKG
from ntrkkg.prefixes import VOCABULARIES
from ntrkkg.resources import resource_dir
from ntrkkg.sparql.service import QueryService
from ntrkkg.web.description import service_description
from ntrkkg.web.endpoint import problem_body, retry_after

__all__ = ["Site", "blueprint", "problem", "site"]

blueprint = Blueprint("sparql", __name__)


@dataclass
class Site:
    """What the blueprints share: settings, the query service, and what was read at start."""

    settings: Settings
    service: QueryService
    sizes: dict[str, int]
    description: Graph
    examples: list[dict[str, str]]
    started: float


def site() -> Site:
    """The site of the running app."""
    return current_app.extensions["ntrkkg"]  # type: ignore[no-any-return]


def problem(status: int, message: str) -> Response:
    """A plain-text error that says why; never a traceback."""
    return Response(
        problem_body(status, message),
        status=status,
        content_type="text/plain; charset=utf-8",
        headers=retry_after(status),
    )


@blueprint.route("/sparql", methods=["GET"])
def endpoint() -> Response:
    """``/sparql`` without a query (queries are answered by :class:`ntrkkg.web.endpoint.QueryEndpoint`)."""
    return describe_service()


def describe_service() -> Response:
    """The Service Description by content negotiation; the query editor only when HTML is preferred."""
    s = site()
    # A browser names text/html; */* alone (curl, scripts) gets the description as Turtle.
    accept = list(request.accept_mimetypes)
    html = max((q for value, q in accept if value == "text/html"), default=0)
    described = max((q for value, q in accept if value in [f.media_type for f in GRAPH_FORMATS]), default=0)
    if html > 0 and html >= described and not request.args.get("format"):
        response = Response(editor_page(request.args.get("query")), content_type="text/html; charset=utf-8")
    else:
        try:
            fmt = choose(request.accept_mimetypes, request.args.get("format"), graph=True)
        except NotAcceptable as error:
            return problem(406, str(error))
        # The endpoint as this request reached it, unless the operator configured its public IRI.
        configured = s.settings.endpoint != s.settings.base + "sparql"
        endpoint = s.settings.endpoint if configured else request.base_url
        description = service_description(s.settings, s.sizes, endpoint) if endpoint != s.settings.endpoint else None
        response = Response(graph_bytes(description or s.description, fmt), content_type=fmt.content_type)
    response.vary.add("Accept")
    return response


#: The example the editor opens with: a real question, with a small answer.
DEFAULT_EXAMPLE = "ntrk3-partner-genes"


def editor_page(query: str | None = None) -> str:
    """The query editor: the examples by their question, completion data inlined, and ``query`` to run at once."""
    s = site()
    allowed = s.settings.allowed_services
    listed = [
        {
            "id": e.name,
            "question": e.comment,
            "query": e.query,
            # A SERVICE call runs only where the operator allow-lists its endpoint; say so rather than fail.
            "needs": [target for target in e.federates_with if target not in allowed],
        }
        for e in examples(s.settings.base)
    ]
    return render_template(
        "editor.html",
        examples=listed,
        default=next((e for e in listed if e["id"] == DEFAULT_EXAMPLE), listed[0] if listed else None),
        endpoint=request.base_url,
        base=s.settings.base,
        prefixes=VOCABULARIES,
        terms=vocabulary_terms(),
        query=query,
    )


_TERM_KINDS = {
    "http://www.w3.org/2002/07/owl#Class": "class",
    "http://www.w3.org/2002/07/owl#ObjectProperty": "property",
    "http://www.w3.org/2002/07/owl#DatatypeProperty": "property",
    "http://www.w3.org/2002/07/owl#AnnotationProperty": "property",
}


@cache
def vocabulary_terms() -> dict[str, list[str]]:
    """The ontology's own classes and properties (full IRIs), for the editor's completion; read once."""
    found: dict[str, set[str]] = {"class": set(), "property": set()}
    path = resource_dir("ontology") / "ntrkkg.ttl"
    for triple in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
        kind = _TERM_KINDS.get(triple.object.value) if triple.predicate.value == _RDF_TYPE else None
        if kind and isinstance(triple.subject, ox.NamedNode) and triple.subject.value.startswith(str(NTRKKG)):
            found[kind].add(triple.subject.value)
    return {kind: sorted(iris) for kind, iris in found.items()}


_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
