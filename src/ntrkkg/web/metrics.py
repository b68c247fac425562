"""``/metrics``: the whole service in the Prometheus text format, and the requests counted by route and status.

The counts live in memory shared by the serving processes (:mod:`ntrkkg.sparql.counters`), the same
cells ``/stats`` reads, so a scrape answered by any process describes the whole service. A custom
collector turns them into metric families at scrape time; prometheus_client's multiprocess mode (a
folder of files per process) would have been a second copy of the same counts. Requests are labelled by
the route template (``/downloads/<path:name>``), never by the path a client sent, and by a status from
a fixed list, so no client can add a series.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from http import HTTPStatus
from typing import Any

from flask import Blueprint, Flask, Response, current_app, request
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.exposition import choose_encoder
from prometheus_client.registry import Collector, CollectorRegistry
from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.routing import Map

from ntrkkg.config import Settings
from ntrkkg.sparql import metrics
from ntrkkg.sparql.counters import Counters
from ntrkkg.sparql.service import QueryService

__all__ = ["UNMATCHED", "RequestCounter", "ServiceCollector", "blueprint", "install"]

blueprint = Blueprint("metrics", __name__)

#: The route label of a request that matched no route (404s, redirects to a trailing slash).
UNMATCHED = "(unmatched)"
#: Status codes with a series of their own; anything else is counted as ``other``.
CODES = tuple(str(int(status)) for status in HTTPStatus if status >= 200) + ("other",)

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


class RequestCounter:
    """WSGI middleware: counts every response by route template and status, in shared memory."""

    def __init__(self, app: WSGIApp, url_map: Map, workers: int) -> None:
        self.app, self.url_map = app, url_map
        self.routes = ("/sparql", *sorted({rule.rule for rule in url_map.iter_rules()} - {"/sparql"}), UNMATCHED)
        self.counters = Counters(workers, (f"{route} {code}" for route in self.routes for code in CODES))

    def route(self, environ: dict[str, Any]) -> str:
        """The template of the route ``environ`` asks for."""
        if environ.get("PATH_INFO") == "/sparql":  # the hot path: no matching needed
            return "/sparql"
        adapter = self.url_map.bind_to_environ(environ)
        try:
            rule, _ = adapter.match(return_rule=True)
        except MethodNotAllowed:  # a route that exists, asked with the wrong method
            with contextlib.suppress(HTTPException):
                rule, _ = adapter.match(method="GET", return_rule=True)
                return str(rule.rule)
            return UNMATCHED
        except HTTPException:  # not found, or a redirect to the canonical URL
            return UNMATCHED
        return str(rule.rule)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        """Answer through the app, counting the status it sends."""
        route = self.route(environ)
        counted: list[str] = []

        def recording(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            code = status[:3] if status[:3] in CODES else "other"
            if counted:  # a second call replaces the first status (an error before anything was sent)
                self.counters.add(counted.pop(), -1)
            counted.append(f"{route} {code}")
            self.counters.add(counted[-1])
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        try:
            return self.app(environ, recording)
        except BaseException:
            if not counted:  # the server answers 500 for an app that raised
                self.counters.add(f"{route} 500")
            raise

    def totals(self) -> Iterator[tuple[str, str, int]]:
        """``(route, code, requests)`` summed over the service, for the pairs seen at least once."""
        for field, value in self.counters.totals().items():
            if value:
                route, _, code = field.rpartition(" ")
                yield route, code, value


class ServiceCollector(Collector):
    """The service's counters as Prometheus metric families, read from shared memory at each scrape."""

    def __init__(self, service: QueryService, requests: RequestCounter, settings: Settings) -> None:
        self.service, self.requests, self.settings = service, requests, settings

    def collect(self) -> Iterable[Metric]:
        """Every family, summed over the serving processes."""
        totals = self.service.pool.stats.totals()
        requests = CounterMetricFamily(
            "ntrkkg_http_requests", "HTTP responses, by route template and status code", labels=("route", "code")
        )
        for route, code, value in self.requests.totals():
            requests.add_metric((route, code), value)
        yield requests

        duration = HistogramMetricFamily(
            "ntrkkg_query_duration_seconds",
            "Time from a query's arrival to its outcome (waiting for an engine and cache hits included), by outcome",
            labels=("outcome",),
        )
        for outcome, histogram in metrics.latency(totals).items():
            if histogram.count or outcome == "ok":
                duration.add_metric((outcome,), histogram.cumulative(), histogram.sum_seconds)
        yield duration

        yield CounterMetricFamily(
            "ntrkkg_query_timeouts",
            "Queries stopped at the time limit, while waiting for an engine or running",
            value=totals["timeouts"],
        )
        refusals = CounterMetricFamily(
            "ntrkkg_query_refusals", "Queries refused instead of answered, by reason", labels=("reason",)
        )
        pool_counts = {"client_share": "refused_client", "queue_full": "refused_busy"}
        for reason in metrics.REFUSALS:
            refusals.add_metric((reason,), totals[pool_counts.get(reason, f"refused:{reason}")])
        yield refusals

        yield CounterMetricFamily("ntrkkg_engine_jobs", "Queries sent to an engine", value=totals["jobs"])
        restarts = CounterMetricFamily(
            "ntrkkg_engine_restarts",
            "Engines killed and replaced: over the time limit, crashed, recycled after a large result, failed to start",
            labels=("reason",),
        )
        for reason, field in (
            ("timeout", "engine_timeouts"),
            ("crash", "crashes"),
            ("recycled", "recycled"),
            ("start_failed", "start_failures"),
        ):
            restarts.add_metric((reason,), totals[field])
        yield restarts

        yield CounterMetricFamily("ntrkkg_cache_hits", "Queries answered from the result cache", totals["cache_hits"])
        yield CounterMetricFamily(
            "ntrkkg_cache_misses", "Cacheable queries not in the result cache", totals["cache_misses"]
        )
        yield GaugeMetricFamily("ntrkkg_cache_bytes", "Bytes the result cache holds", self.service.cache_bytes())
        yield GaugeMetricFamily(
            "ntrkkg_cache_budget_bytes", "Bytes the result cache may hold", self.settings.cache_bytes
        )
        yield GaugeMetricFamily("ntrkkg_serving_processes", "Serving processes", self.settings.workers)
        yield GaugeMetricFamily("ntrkkg_engines", "Query engine processes in all", self.settings.engines)


def install(app: Flask, service: QueryService, settings: Settings) -> None:
    """Count the app's requests and serve ``/metrics`` (call after every route is registered)."""
    app.register_blueprint(blueprint)
    requests = RequestCounter(app.wsgi_app, app.url_map, settings.workers)
    registry = CollectorRegistry(auto_describe=False)
    registry.register(ServiceCollector(service, requests, settings))
    app.extensions["ntrkkg.metrics"] = registry
    app.wsgi_app = requests  # type: ignore[method-assign]


@blueprint.route("/metrics")
def scrape() -> Response:
    """The Prometheus exposition (OpenMetrics when the scraper asks for it)."""
    encoder, content_type = choose_encoder(request.headers.get("Accept", ""))
    return Response(encoder(current_app.extensions["ntrkkg.metrics"]), content_type=content_type)
