"""``/sparql`` for people and crawlers: the Service Description and the query editor; the site the pages share."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, Response, current_app, render_template, request
from rdflib import Graph

from ntrkkg.config import Settings
from ntrkkg.formats import GRAPH_FORMATS, NotAcceptable, choose
from ntrkkg.sparql.service import QueryService
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
        response = Response(
            render_template("editor.html", examples=s.examples, endpoint=request.base_url),
            content_type="text/html; charset=utf-8",
        )
    else:
        try:
            fmt = choose(request.accept_mimetypes, request.args.get("format"), graph=True)
        except NotAcceptable as error:
            return problem(406, str(error))
        response = Response(s.description.serialize(format=fmt.rdflib), content_type=fmt.content_type)
    response.vary.add("Accept")
    return response
