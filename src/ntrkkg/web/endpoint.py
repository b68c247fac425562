"""The SPARQL 1.1 Protocol's query operation, as plain WSGI in front of the Flask app.

Every query request to ``/sparql`` (GET, HEAD, POST form, POST direct) is answered here, without the
framework's per-request objects, since it is the service's hot path; the Flask blueprint keeps the
rest of ``/sparql`` (the Service Description and the editor). Read-only: updates are refused.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl

import pyoxigraph as ox
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header, parse_options_header, quote_etag, unquote_etag

from ntrkkg.formats import BY_KEY, NotAcceptable, choose
from ntrkkg.sparql.service import QueryRejected, QueryService

__all__ = ["COMMON_HEADERS", "STATUS", "QueryEndpoint", "problem_body", "retry_after"]

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

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
#: Sent with every response of the service.
COMMON_HEADERS = (
    ("Access-Control-Allow-Origin", "*"),
    ("Access-Control-Allow-Methods", "GET, HEAD, POST, OPTIONS"),
    ("Access-Control-Allow-Headers", "Accept, Content-Type, Authorization"),
    ("Access-Control-Max-Age", "86400"),
    ("X-Content-Type-Options", "nosniff"),
)
FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE = "application/sparql-update"
_GRAPH_PARAMETERS = ("default-graph-uri", "named-graph-uri")


def problem_body(status: int, message: str) -> bytes:
    """The plain-text body of an error: the status and why; never a traceback."""
    return f"{status} {HTTPStatus(status).phrase}: {message}\n".encode()


def retry_after(status: int) -> list[tuple[str, str]]:
    """``Retry-After`` for the statuses that mean "not now" (429 and 503)."""
    return [("Retry-After", "5")] if status in (429, 503) else []


class _Refused(Exception):
    def __init__(self, status: int, message: str) -> None:
        self.status, self.message = status, message


def _is_iri(value: str) -> bool:
    try:
        ox.NamedNode(value)
    except ValueError:
        return False
    return True


def _browser(environ: dict[str, Any], params: list[tuple[str, str]]) -> bool:
    """A browser opening a query link: it prefers text/html to every result type, and sets no format."""
    if any(name in ("format", "output") for name, _ in params):
        return False
    accept = parse_accept_header(environ.get("HTTP_ACCEPT"), MIMEAccept)
    html = max((q for value, q in accept if value in ("text/html", "application/xhtml+xml")), default=0)
    answers = {f.media_type for f in BY_KEY.values()} | {"application/json", "application/xml"}
    others = max((q for value, q in accept if value in answers), default=0)
    return html > 0 and html > others


class QueryEndpoint:
    """WSGI middleware: answers query requests to ``/sparql``, passes everything else to ``app``."""

    def __init__(self, app: WSGIApp, service: QueryService, max_request_bytes: int) -> None:
        self.app, self.service, self.max_request_bytes = app, service, max_request_bytes

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        """Answer a query request, or hand the request on."""
        method = environ.get("REQUEST_METHOD", "GET")
        if environ.get("PATH_INFO") != "/sparql" or method not in ("GET", "HEAD", "POST"):
            return self.app(environ, start_response)
        started = time.monotonic()
        try:
            params = self._parameters(environ, method)
            if params is None:  # no query: the Service Description or the editor
                return self.app(environ, start_response)
            if method == "GET" and _browser(environ, params):  # a query link opened in a browser: the editor runs it
                return self.app(environ, start_response)
            return self._answer(environ, start_response, params, method, started)
        except _Refused as refused:
            return self._problem(start_response, refused.status, refused.message)

    def _parameters(self, environ: dict[str, Any], method: str) -> list[tuple[str, str]] | None:
        """The protocol parameters, or None for a GET without a query."""
        params = parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True)
        if method != "POST":
            if not any(name == "query" for name, _ in params) and not self._update(params):
                return None
            return params
        mimetype, options = parse_options_header(environ.get("CONTENT_TYPE", ""))
        if mimetype not in (FORM, DIRECT, UPDATE):
            raise _Refused(
                415,
                f"unsupported content type {mimetype or '(none)'!r}; send a query as {DIRECT} or {FORM}, or use GET",
            )
        if mimetype == UPDATE:
            raise _Refused(403, "SPARQL Update is not accepted: this endpoint is read-only")
        body = self._body(environ)
        if mimetype == FORM:
            try:
                return params + parse_qsl(body.decode("utf-8"), keep_blank_values=True)
            except UnicodeDecodeError as error:
                raise _Refused(400, f"the form is not valid UTF-8: {error}") from None
        charset = options.get("charset", "utf-8").lower()
        if charset not in ("utf-8", "utf8"):  # the protocol requires UTF-8; anything else would run garbled
            raise _Refused(415, f"a query sent as {DIRECT} must be encoded in UTF-8, not {charset!r}")
        try:
            return [*params, ("query", body.decode("utf-8"))]
        except UnicodeDecodeError as error:
            raise _Refused(400, f"the query is not valid UTF-8: {error}") from None

    def _body(self, environ: dict[str, Any]) -> bytes:
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            raise _Refused(400, "the Content-Length header is not a number") from None
        if length > self.max_request_bytes:
            raise _Refused(413, f"the request body is {length:,} bytes; the limit is {self.max_request_bytes:,}")
        data: bytes = environ["wsgi.input"].read(length) if length else b""
        return data

    @staticmethod
    def _update(params: list[tuple[str, str]]) -> bool:
        return any(name in ("update", "using-graph-uri", "using-named-graph-uri") for name, _ in params)

    def _answer(
        self,
        environ: dict[str, Any],
        start_response: StartResponse,
        params: list[tuple[str, str]],
        method: str,
        started: float,
    ) -> Iterable[bytes]:
        queries = [value for name, value in params if name == "query"]
        if self._update(params):
            if queries:
                raise _Refused(400, "a request may carry a query or an update, not both")
            raise _Refused(403, "SPARQL Update is not accepted: this endpoint is read-only")
        if len(queries) != 1:
            raise _Refused(400, "exactly one query parameter is allowed" if queries else "no query was given")
        try:
            vetted = self.service.vet(queries[0])
        except QueryRejected as error:
            raise _Refused(400, str(error)) from None
        first = dict(reversed(params))
        accept = parse_accept_header(environ.get("HTTP_ACCEPT"), MIMEAccept)
        try:
            fmt = choose(
                accept, first.get("format") or first.get("output"), graph=vetted.form in ("CONSTRUCT", "DESCRIBE")
            )
        except NotAcceptable as error:
            raise _Refused(406, str(error)) from None
        graphs: dict[str, tuple[str, ...] | None] = {}
        for name in _GRAPH_PARAMETERS:
            values = tuple(value for key, value in params if key == name)
            bad = [value for value in values if not _is_iri(value)]
            if bad:
                raise _Refused(400, f"{name} must be an absolute IRI, not {bad[0]!r}")
            graphs[name] = values or None
        outcome = self.service.run(
            vetted,
            fmt,
            default_graphs=graphs["default-graph-uri"],
            named_graphs=graphs["named-graph-uri"],
            client=environ.get("REMOTE_ADDR", ""),
            started=started,
        )
        if outcome.status != "ok":
            raise _Refused(STATUS.get(outcome.status, 500), outcome.message)
        etag = outcome.etag
        headers = [
            ("Content-Type", fmt.content_type),
            ("Vary", "Accept"),
            ("ETag", quote_etag(etag)),
            ("Cache-Control", "public, max-age=300" if vetted.deterministic else "no-store"),
            *COMMON_HEADERS,
        ]
        matches = environ.get("HTTP_IF_NONE_MATCH", "")
        if matches and any(unquote_etag(tag.strip())[0] in (etag, "*") for tag in matches.split(",")):
            start_response("304 Not Modified", headers)
            return [b""]
        start_response("200 OK", [*headers, ("Content-Length", str(len(outcome.body)))])
        return [b"" if method == "HEAD" else outcome.body]

    @staticmethod
    def _problem(start_response: StartResponse, status: int, message: str) -> Iterable[bytes]:
        body = problem_body(status, message)
        headers = [
            ("Content-Type", "text/plain; charset=utf-8"),
            ("Content-Length", str(len(body))),
            ("Vary", "Accept"),
            *COMMON_HEADERS,
            *retry_after(status),
        ]
        start_response(f"{status} {HTTPStatus(status).phrase}", headers)
        return [body]
