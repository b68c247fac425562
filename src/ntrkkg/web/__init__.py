"""The web service: an application factory with the SPARQL and linked-data blueprints."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pyoxigraph as ox
from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException

from ntrkkg.examples import examples
from ntrkkg.web.dataset import graph_names, graph_sizes, load_store, service_description
from ntrkkg.web.engine import EnginePool, Evaluator, evaluate
from ntrkkg.web.settings import Settings
from ntrkkg.web.sparql import Service, problem


def _examples() -> list[dict[str, str]]:
    """The example queries as editor tabs."""
    return [{"id": e.name, "comment": e.comment, "query": e.query} for e in sorted(examples(), key=lambda e: e.iri)]


def create_app(
    settings: Settings | None = None,
    *,
    store_factory: Callable[[], ox.Store] | None = None,
    default_graphs: tuple[str, ...] | None | str = "dataset",
    base: str = "https://w3id.org/ntrkkg/",
    open_in_child: bool = False,
    evaluator: Evaluator = evaluate,
) -> Flask:
    """Build the app. By default it serves ``settings.dist``; tests may pass their own store.

    ``default_graphs="dataset"`` makes the default graph the union of the asserted and inferred
    graphs; ``None`` leaves the store's own default graph. ``open_in_child`` and ``evaluator``
    go to the :class:`EnginePool` (``ntrkkg.backends`` uses them for on-disk and remote stores).
    """
    settings = settings or Settings.from_env()
    names = graph_names(base, settings.endpoint)
    factory = store_factory or (lambda: load_store(settings.dist, names))
    defaults = names.default if default_graphs == "dataset" else default_graphs
    probe = factory()
    sizes = graph_sizes(probe)
    description = service_description(settings.endpoint, names if defaults == names.default else None, sizes)

    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_request_bytes
    app.extensions["ntrkkg"] = Service(
        settings=settings,
        engines=EnginePool(factory, settings.engines, open_in_child=open_in_child, evaluator=evaluator,
                           store=probe),
        default_graphs=defaults if isinstance(defaults, tuple) or defaults is None else None,
        description=description,
        examples=_examples(),
        started=time.time(),
    )
    app.extensions["ntrkkg.names"] = names
    app.extensions["ntrkkg.base"] = base
    app.extensions["ntrkkg.sizes"] = sizes

    from ntrkkg.web import pages, sparql

    app.register_blueprint(sparql.blueprint)
    app.register_blueprint(pages.blueprint)

    @app.after_request
    def cors(response: Response) -> Response:
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "Accept, Content-Type, Authorization"
        response.headers["Access-Control-Max-Age"] = "86400"
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        response = problem(error.code or 400, error.description or error.name)
        if error.code == 405 and hasattr(error, "valid_methods") and error.valid_methods:
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> Response:
        app.logger.exception("unexpected error on %s %s", request.method, request.path)
        return problem(500, "the server could not answer this request; it has been logged")

    return app


def application(**kwargs: Any) -> Flask:
    """Entry point for WSGI servers: ``gunicorn 'ntrkkg.web:application()'``."""
    return create_app(**kwargs)
