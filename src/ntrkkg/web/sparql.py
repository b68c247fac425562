"""The SPARQL 1.1 Protocol endpoint: query by GET, POST form and POST direct; read-only."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from http import HTTPStatus

from flask import Blueprint, Response, current_app, render_template, request
from werkzeug.datastructures import MultiDict

from ntrkkg.web.engine import EnginePool, Job, Outcome
from ntrkkg.web.formats import GRAPH_FORMATS, NotAcceptable, choose
from ntrkkg.web.settings import Settings
from ntrkkg.web.vetting import QueryRejected, vet

blueprint = Blueprint("sparql", __name__)

STATUS = {"ok": 200, "syntax": 400, "too-large": 400, "error": 400, "crashed": 400, "timeout": 400, "busy": 503}
FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE = "application/sparql-update"


@dataclass
class Service:
    """What the blueprint needs from the app: settings, engines, graphs, counters, cache."""

    settings: Settings
    engines: EnginePool
    default_graphs: tuple[str, ...] | None
    description: object  # rdflib Graph of the Service Description
    examples: list[dict[str, str]]
    started: float
    queries_served: int = 0

    def __post_init__(self) -> None:
        self._cache: OrderedDict[tuple[object, ...], tuple[Outcome, str]] = OrderedDict()
        self._lock = threading.Lock()

    def cached(self, key: tuple[object, ...]) -> tuple[Outcome, str] | None:
        """A remembered result and its ETag."""
        with self._lock:
            entry = self._cache.get(key)
            if entry is not None:
                self._cache.move_to_end(key)
            return entry

    def remember(self, key: tuple[object, ...], outcome: Outcome) -> str:
        """Keep a successful result; returns its ETag."""
        etag = outcome.etag
        if self.settings.cache_entries <= 0:
            return etag
        with self._lock:
            self._cache[key] = (outcome, etag)
            while len(self._cache) > self.settings.cache_entries:
                self._cache.popitem(last=False)
        return etag

    def count(self) -> None:
        with self._lock:
            self.queries_served += 1


def service() -> Service:
    return current_app.extensions["ntrkkg"]  # type: ignore[no-any-return]


def problem(status: int, message: str) -> Response:
    """A plain-text error that says why; never a traceback."""
    body = f"{status} {HTTPStatus(status).phrase}: {message}\n"
    response = Response(body, status=status, content_type="text/plain; charset=utf-8")
    if status == 503:
        response.headers["Retry-After"] = "5"
    return response


def _parameters() -> tuple[MultiDict[str, str], list[str]] | Response:
    """The protocol parameters and the query strings of this request."""
    if request.method == "GET":
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
    return problem(415, f"unsupported content type {mimetype or '(none)'!r}; send a query as "
                   f"{DIRECT} or {FORM}, or use GET")


@blueprint.route("/sparql", methods=["GET", "POST"])
def endpoint() -> Response:
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
    return run_query(queries[0], params)


def describe_service() -> Response:
    """The Service Description by content negotiation, or the query editor for browsers."""
    svc = service()
    offers = ["text/html"] + [f.media_type for f in GRAPH_FORMATS]
    best = request.accept_mimetypes.best_match(offers) if request.accept_mimetypes else "text/turtle"
    if best == "text/html" and not request.args.get("format"):
        return Response(render_template("editor.html", examples=svc.examples,
                                        endpoint=request.base_url), content_type="text/html; charset=utf-8")
    try:
        fmt = choose(request.accept_mimetypes, request.args.get("format"), graph=True)
    except NotAcceptable as error:
        return problem(406, str(error))
    rdflib_format = {"turtle": "turtle", "ntriples": "nt", "rdfxml": "xml", "jsonld": "json-ld",
                     "nquads": "nquads", "trig": "trig"}[fmt.key]
    body = svc.description.serialize(format=rdflib_format)  # type: ignore[attr-defined]
    response = Response(body, content_type=fmt.content_type)
    response.vary.add("Accept")
    return response


def run_query(query: str, params: MultiDict[str, str]) -> Response:
    svc = service()
    settings = svc.settings
    try:
        shape = vet(query, max_length=settings.max_query_length, max_depth=settings.max_depth,
                    allowed_services=settings.allowed_services)
    except QueryRejected as error:
        return problem(400, str(error))
    try:
        fmt = choose(request.accept_mimetypes, params.get("format") or params.get("output"),
                     graph=shape.form in ("CONSTRUCT", "DESCRIBE"))
    except NotAcceptable as error:
        return problem(406, str(error))
    default_graphs: tuple[str, ...] | None = tuple(params.getlist("default-graph-uri")) or None
    named_graphs: tuple[str, ...] | None = tuple(params.getlist("named-graph-uri")) or None
    if default_graphs is None and named_graphs is None and not shape.has_dataset_clause:
        default_graphs = svc.default_graphs
    job = Job(query, fmt.key, default_graphs, named_graphs, settings.row_cap, settings.max_result_bytes,
              base_iri=settings.endpoint)
    key = (query, fmt.key, default_graphs, named_graphs)
    entry = svc.cached(key)
    if entry is None:
        outcome = svc.engines.run(job, settings.timeout)
        svc.count()
        if outcome.status != "ok":
            return problem(STATUS.get(outcome.status, 400), outcome.message)
        etag = svc.remember(key, outcome)
    else:
        (outcome, etag) = entry
        svc.count()
    response = Response(outcome.body, content_type=fmt.content_type)
    response.vary.add("Accept")
    response.set_etag(etag)
    response.headers["Cache-Control"] = "public, max-age=300"
    response.make_conditional(request)
    return response


def uptime() -> float:
    return time.time() - service().started
