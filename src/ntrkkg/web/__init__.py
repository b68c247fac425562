"""The web service: an application factory with the SPARQL protocol and linked-data blueprints.

Nothing outside this package imports it; it reaches the data only through :class:`QueryService`.
"""

from __future__ import annotations

import time

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException

from ntrkkg.build.examples import examples
from ntrkkg.config import Settings
from ntrkkg.sparql.service import QueryService
from ntrkkg.web import metrics
from ntrkkg.web.description import graph_sizes, service_description
from ntrkkg.web.endpoint import COMMON_HEADERS, QueryEndpoint
from ntrkkg.web.protocol import Site, problem

__all__ = ["create_app"]

#: Pages may run only their own script files (no inline script), and may not be framed.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)


def create_app(settings: Settings | None = None, *, service: QueryService | None = None) -> Flask:
    """Build the app over ``settings`` (by default read from the environment)."""
    settings = settings or Settings.from_env()
    service = service or QueryService.open(settings)
    sizes = graph_sizes(service)
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_request_bytes
    app.extensions["ntrkkg"] = Site(
        settings=settings,
        service=service,
        sizes=sizes,
        description=service_description(settings, sizes),
        examples=[
            {"id": e.name, "comment": e.comment, "query": e.query}
            for e in sorted(examples(settings.base), key=lambda e: e.iri)
        ],
        started=time.time(),
    )

    from ntrkkg.web import entity, pages, protocol, search

    app.register_blueprint(protocol.blueprint)
    app.register_blueprint(pages.blueprint)
    app.register_blueprint(entity.blueprint)
    app.register_blueprint(search.blueprint)

    app.wsgi_app = QueryEndpoint(app.wsgi_app, service, settings.max_request_bytes)  # type: ignore[method-assign]
    metrics.install(app, service, settings)  # last: it counts every response, /sparql's included

    @app.after_request
    def headers(response: Response) -> Response:
        for name, value in COMMON_HEADERS:
            response.headers.setdefault(name, value)
        if request.endpoint != "static" and request.endpoint != "pages.download":
            response.vary.add("Accept")  # pages, RDF and results are negotiated on the same URLs
        if response.mimetype == "text/html":
            response.headers["Content-Security-Policy"] = CSP
            response.headers["X-Frame-Options"] = "DENY"
            response.headers["Referrer-Policy"] = "same-origin"
        return response

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        response = problem(error.code or 400, error.description or error.name)
        if error.code == 405 and getattr(error, "valid_methods", None):
            response.headers["Allow"] = ", ".join(error.valid_methods)  # type: ignore[attr-defined]
        return response

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> Response:
        app.logger.exception("unexpected error on %s %s", request.method, request.path)
        return problem(500, "the server could not answer this request; it has been logged")

    return app
