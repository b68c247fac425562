"""Admission control and the front end: heavy queries, slow clients and greedy clients cannot stall the service.

Every load here goes to a server on 127.0.0.1 that the session started, and is bounded in count and time.
"""

from __future__ import annotations

import contextlib
import json
import socket
import statistics
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask

from ntrkkg.config import Settings
from ntrkkg.formats import BY_KEY
from ntrkkg.sparql.service import QueryFailed

HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
SIMPLE = "SELECT ?g WHERE { ?g a <https://w3id.org/ntrkkg/ontology#Gene> } ORDER BY ?g LIMIT 5"


def _get(url: str, timeout: float = 30) -> tuple[int, float]:
    started = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    return status, time.monotonic() - started


def _p99(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=100)[98] if len(samples) > 1 else samples[0]


def _while(load: Callable[[], None], threads: int, probe: Callable[[], float], probes: int) -> list[float]:
    """Run ``threads`` copies of ``load`` and sample ``probe`` meanwhile."""
    workers = [threading.Thread(target=load, daemon=True) for _ in range(threads)]
    for worker in workers:
        worker.start()
    time.sleep(0.3)
    samples = []
    for _ in range(probes):
        samples.append(probe())
        time.sleep(0.05)
    for worker in workers:
        worker.join(60)
    return samples


@pytest.mark.parametrize("heavy", [8, 24])
def test_heavy_queries_leave_health_and_cached_queries_fast(live_server: str, heavy: int) -> None:
    simple = live_server + "/sparql?" + urllib.parse.urlencode({"query": SIMPLE})
    assert _get(simple)[0] == 200  # now cached
    statuses: list[int] = []

    def load() -> None:
        statuses.append(_get(live_server + "/sparql?" + urllib.parse.urlencode({"query": HEAVY}))[0])

    health = _while(load, heavy, lambda: _get(live_server + "/health")[1], 30)
    cached = _while(load, heavy, lambda: _get(simple)[1], 30)
    assert _p99(health) < 1.0, health
    assert _p99(cached) < 1.0, cached
    # Heavy work is stopped at the time limit (503) or refused at once (503, 429), never left to pile up.
    assert set(statuses) <= {503, 429}, statuses


def _trickle(port: int, body: bool, seconds: float, stop: threading.Event) -> None:
    """One slow client: headers (or a body) a byte at a time."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        if body:
            sock.sendall(
                b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                b"Content-Length: 100000\r\n\r\n"
            )
        else:
            sock.sendall(b"GET /sparql?query=")
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and not stop.is_set():
            try:
                sock.sendall(b"a")
            except OSError:
                return
            stop.wait(0.5)


def test_slow_clients_do_not_hold_the_service(live_server: str) -> None:
    port = int(live_server.rsplit(":", 1)[1])
    stop = threading.Event()
    clients = [threading.Thread(target=_trickle, args=(port, i % 2 == 1, 30, stop), daemon=True) for i in range(50)]
    for client in clients:
        client.start()
    try:
        time.sleep(1)
        samples = []
        ends = time.monotonic() + 27  # probe while the 50 slow clients trickle, for nearly their 30 s
        while time.monotonic() < ends:
            samples.append(_get(live_server + "/health", timeout=5)[1])
            time.sleep(0.5)
        simple = live_server + "/sparql?" + urllib.parse.urlencode({"query": SIMPLE + " OFFSET 1"})
        status, seconds = _get(simple, timeout=5)
    finally:
        stop.set()
        for client in clients:
            client.join(10)
    assert max(samples) < 1.0, samples
    assert status == 200 and seconds < 1.0


@pytest.fixture
def small_pool(dist: Path) -> Iterator[Flask]:
    from ntrkkg.web import create_app

    app = create_app(Settings(dist=dist, engines=2, engines_per_client=1, timeout=2.0))
    yield app
    app.extensions["ntrkkg"].service.close()


def test_one_client_gets_429_past_its_share(small_pool: Flask) -> None:
    statuses: list[int] = []

    def greedy() -> None:
        response = small_pool.test_client().get(
            "/sparql", query_string={"query": HEAVY}, environ_overrides={"REMOTE_ADDR": "10.0.0.1"}
        )
        statuses.append(response.status_code)
        if response.status_code == 429:
            assert response.headers["Retry-After"]

    workers = [threading.Thread(target=greedy) for _ in range(8)]
    for worker in workers:
        worker.start()
    time.sleep(0.3)
    # Another client still gets an engine while the greedy one waits for its own.
    other = small_pool.test_client().get(
        "/sparql", query_string={"query": SIMPLE}, environ_overrides={"REMOTE_ADDR": "10.0.0.2"}
    )
    for worker in workers:
        worker.join(30)
    assert 429 in statuses and other.status_code in (200, 503)
    stats = json.loads(small_pool.test_client().get("/stats").data)
    assert stats["refused_client_share"] >= 1


def test_time_limit_counts_the_wait_for_an_engine(small_pool: Flask) -> None:
    service = small_pool.extensions["ntrkkg"].service

    def heavy() -> None:
        with contextlib.suppress(QueryFailed):
            service.answer(HEAVY)

    threads = [threading.Thread(target=heavy, daemon=True) for _ in range(2)]
    for thread in threads:
        thread.start()
    time.sleep(0.2)
    started = time.monotonic()
    outcome = service.run(service.vet(SIMPLE + " OFFSET 2"), BY_KEY["json"], client="late")
    waited = time.monotonic() - started
    for thread in threads:
        thread.join(10)
    # Both engines were busy: the query either got one when the heavy ones were stopped, or ran out of time,
    # but never waited longer than the limit plus a margin.
    assert waited < 2.0 + 1.0, waited
    assert outcome.status in ("ok", "timeout")


def test_stats_and_cache_are_service_wide(live_server: str) -> None:
    """Whichever serving process answers, a result cached by one is a hit, and /stats counts them all."""

    def stats() -> dict[str, int]:
        with urllib.request.urlopen(live_server + "/stats", timeout=10) as response:
            return dict(json.loads(response.read()))

    query = live_server + "/sparql?" + urllib.parse.urlencode({"query": SIMPLE + " OFFSET 3"})
    assert _get(query)[0] == 200
    before = stats()
    for _ in range(12):  # new connections, spread over the serving processes by the kernel
        assert _get(query)[0] == 200
    readings = [stats() for _ in range(6)]
    assert stats()["workers"] == 2  # the live server runs two serving processes
    for after in readings:
        assert after["cache_hits"] - before["cache_hits"] == 12
        assert after["queries_served"] - before["queries_served"] == 12
