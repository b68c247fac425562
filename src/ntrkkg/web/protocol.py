"""The SPARQL 1.1 Protocol endpoint: query by GET, POST form and POST direct; read-only."""

from __future__ import annotations

import time
from dataclasses import dataclass
from http import HTTPStatus

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, render_template, request
from rdflib import Graph
from werkzeug.datastructures import MultiDict

from ntrkkg.config import Settings
from ntrkkg.formats import GRAPH_FORMATS, NotAcceptable, choose
from ntrkkg.sparql.service import QueryRejected, QueryService

__all__ = ["Site", "blueprint", "problem", "site"]

blueprint = Blueprint("sparql", __name__)

#: HTTP status of each engine outcome: 4xx only for the client's own mistakes.
STATUS = {
    "ok": 200,
    "syntax": 400,
    "bad-graph": 400,
    "too-large": 400,
    "error": 400,
    "timeout": 503,
    "busy": 503,
    "limited": 429,
    "crashed": 500,
    "unavailable": 503,
    "bad-gateway": 502,
}
FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE = "application/sparql-update"


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
    body = f"{status} {HTTPStatus(status).phrase}: {message}\n"
    response = Response(body, status=status, content_type="text/plain; charset=utf-8")
    if status in (429, 503):
        response.headers["Retry-After"] = "5"
    return response


def _parameters() -> tuple[MultiDict[str, str], list[str]] | Response:
    """The protocol parameters and the query strings of this request."""
    if request.method in ("GET", "HEAD"):
        return request.args, request.args.getlist("query")
    mimetype = request.mimetype
    if mimetype == FORM:
        params = MultiDict(list(request.args.items(multi=True)) + list(request.form.items(multi=True)))
        return params, params.getlist("query")
    if mimetype == DIRECT:
        # The protocol requires UTF-8; decoding anything else as UTF-8 would run a garbled query.
        charset = request.mimetype_params.get("charset", "utf-8").lower()
        if charset not in ("utf-8", "utf8"):
            return problem(415, f"a query sent as {DIRECT} must be encoded in UTF-8, not {charset!r}")
        try:
            return request.args, [request.get_data().decode("utf-8")]
        except UnicodeDecodeError as error:
            return problem(400, f"the query is not valid UTF-8: {error}")
    if mimetype == UPDATE:
        return problem(403, "SPARQL Update is not accepted: this endpoint is read-only")
    return problem(
        415, f"unsupported content type {mimetype or '(none)'!r}; send a query as {DIRECT} or {FORM}, or use GET"
    )


@blueprint.route("/sparql", methods=["GET", "POST"])
def endpoint() -> Response:
    """The protocol's one endpoint (HEAD is answered as GET without a body)."""
    started = time.monotonic()
    parsed = _parameters()
    if isinstance(parsed, Response):
        return parsed
    params, queries = parsed
    if "update" in params or "using-graph-uri" in params or "using-named-graph-uri" in params:
        if queries:
            return problem(400, "a request may carry a query or an update, not both")
        return problem(403, "SPARQL Update is not accepted: this endpoint is read-only")
    if len(queries) > 1:
        return problem(400, "exactly one query parameter is allowed")
    if not queries:
        if request.method == "POST":
            return problem(400, "no query was given")
        return describe_service()
    return run_query(queries[0], params, started)


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


def _is_iri(value: str) -> bool:
    try:
        ox.NamedNode(value)
    except ValueError:
        return False
    return True


def _client() -> str:
    """Who is asking, for the fair share of engines (the peer address; a proxy should set it)."""
    return request.remote_addr or ""


def run_query(query: str, params: MultiDict[str, str], started: float) -> Response:
    """Vet, negotiate, evaluate (or take from the cache) and answer one query."""
    service = site().service
    try:
        vetted = service.vet(query)
    except QueryRejected as error:
        return problem(400, str(error))
    try:
        fmt = choose(
            request.accept_mimetypes,
            params.get("format") or params.get("output"),
            graph=vetted.form in ("CONSTRUCT", "DESCRIBE"),
        )
    except NotAcceptable as error:
        return problem(406, str(error))
    graphs = {name: tuple(params.getlist(name)) or None for name in ("default-graph-uri", "named-graph-uri")}
    for name, values in graphs.items():
        bad = [value for value in values or () if not _is_iri(value)]
        if bad:
            return problem(400, f"{name} must be an absolute IRI, not {bad[0]!r}")
    answer = service.run(
        vetted,
        fmt,
        default_graphs=graphs["default-graph-uri"],
        named_graphs=graphs["named-graph-uri"],
        client=_client(),
        started=started,
    )
    outcome = answer.outcome
    if outcome.status != "ok":
        return problem(STATUS.get(outcome.status, 500), outcome.message)
    response = Response(outcome.body, content_type=fmt.content_type)
    response.vary.add("Accept")
    response.set_etag(outcome.etag)
    response.headers["Cache-Control"] = "public, max-age=300" if vetted.deterministic else "no-store"
    response.make_conditional(request)
    return response
