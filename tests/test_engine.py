"""The engine pool: confined engines, crash isolation, recycling after large results, a deadline with the queue."""

from __future__ import annotations

import threading
import time
from typing import Any

import pyoxigraph as ox
import pytest

from conftest import Listener
from ntrkkg.sparql import sandbox
from ntrkkg.sparql.engine import Confining, EnginePool, Job, Outcome

QUAD = ox.Quad(ox.NamedNode("http://example.org/s"), ox.NamedNode("http://example.org/p"), ox.Literal("o"))


def _pool(**options: Any) -> EnginePool:
    store = ox.Store()
    store.add(QUAD)
    return EnginePool(lambda: store, 1, store=store, **options)


def _job(query: str, *, fmt: str = "json", federated: bool = False) -> Job:
    return Job(query, fmt, None, None, 1000, 2**20, federated=federated)


def _run(pool: EnginePool, job: Job, seconds: float = 10) -> Outcome:
    return pool.run(job, time.monotonic() + seconds)


def test_an_engine_cannot_fetch_even_a_service_that_slipped_past_vetting(listener: Listener) -> None:
    pool = _pool()
    try:
        outcome = _run(
            pool, _job(f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{listener.port}/sparql> {{ ?s ?p ?o }} }}")
        )
        assert outcome.status == "error" and "ermission denied" in outcome.message, outcome
        assert _run(pool, _job("ASK { ?s ?p ?o }")).status == "ok"  # the engine lives on
    finally:
        pool.close()
    assert listener.connections == 0


def test_an_unconfined_engine_would_have_fetched_it(listener: Listener) -> None:
    """The control: the same query in an engine that is not confined reaches the listener."""
    pool = _pool(confining=Confining(enabled=False))
    try:
        _run(pool, _job(f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{listener.port}/sparql> {{ ?s ?p ?o }} }}"))
    finally:
        pool.close()
    assert listener.connections >= 1


def test_a_federated_job_gets_an_engine_with_network(listener: Listener) -> None:
    pool = _pool()
    try:
        query = f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{listener.port}/sparql> {{ ?s ?p ?o }} }}"
        outcome = _run(pool, _job(query, federated=True))
        assert outcome.status == "error"  # the listener hangs up without answering
    finally:
        pool.close()
    assert listener.connections >= 1


def test_a_crash_is_isolated_and_the_engine_replaced() -> None:
    pool = _pool()
    try:
        deep = "SELECT * WHERE " + "{" * 5000 + "}" * 5000  # overflows the engine's stack
        assert _run(pool, _job(deep)).status == "crashed"
        assert _run(pool, _job("ASK { ?s ?p ?o }")).status == "ok"
        assert pool.stats.crashes == 1
    finally:
        pool.close()


def test_engines_are_recycled_after_large_results() -> None:
    pool = _pool(recycle_after_bytes=1000)
    try:
        big = "SELECT ?x WHERE { VALUES ?x { " + " ".join(f'"{"v" * 50}{i}"' for i in range(100)) + " } }"
        assert _run(pool, _job("ASK {}")).status == "ok"
        first = pool._idle[False][0].process.pid
        assert _run(pool, _job(big)).status == "ok"
        assert pool.stats.recycled == 1
        assert pool._idle[False][0].process.pid != first
    finally:
        pool.close()


def test_the_deadline_counts_the_wait_for_an_engine() -> None:
    pool = _pool()
    slow = (
        "SELECT (COUNT(*) AS ?n) WHERE { VALUES ?a { 1 2 3 4 5 6 7 8 9 10 } ?s ?p ?o . "
        + " ".join(f"VALUES ?v{i} {{ {' '.join(str(j) for j in range(60))} }}" for i in range(5))
        + " }"
    )
    try:
        holder = threading.Thread(target=_run, args=(pool, _job(slow), 3), daemon=True)
        holder.start()
        time.sleep(0.3)
        started = time.monotonic()
        outcome = _run(pool, _job("ASK { ?s ?p ?o }"), 1)
        assert outcome.status == "timeout" and time.monotonic() - started < 1.5
        holder.join(10)
    finally:
        pool.close()


def test_on_a_kernel_without_landlock_engines_start_only_when_the_operator_accepts_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sandbox, "landlock_abi", lambda: 0)  # the forked engines inherit the patch
    strict = _pool()
    try:
        refused = _run(strict, _job("ASK { ?s ?p ?o }"))
        assert refused.status == "unavailable" and "Landlock is unavailable" in refused.message
    finally:
        strict.close()
    accepting = _pool(confining=Confining(require=False))
    try:
        assert _run(accepting, _job("ASK { ?s ?p ?o }")).status == "ok"
    finally:
        accepting.close()


def test_allow_unconfined_reaches_the_engines(monkeypatch: pytest.MonkeyPatch) -> None:
    from ntrkkg.config import Settings
    from ntrkkg.sparql.service import QueryFailed, QueryService

    monkeypatch.setattr(sandbox, "landlock_abi", lambda: 0)
    for allowed in (False, True):
        service = QueryService(Settings(allow_unconfined=allowed), lambda: ox.Store(), store=ox.Store())
        try:
            if allowed:
                assert service.values("SELECT (1 AS ?one) { }") == [{"one": "1"}]
            else:
                with pytest.raises(QueryFailed, match="Landlock is unavailable"):
                    service.values("SELECT (1 AS ?one) { }")
        finally:
            service.close()


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_the_row_cap_holds_in_every_result_format(fmt: str) -> None:
    from ntrkkg.sparql.engine import evaluate

    store = ox.Store()
    query = "SELECT ?n WHERE { VALUES ?n { 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 } }"
    assert evaluate(store, Job(query, fmt, None, None, 20, 2**20)).status == "ok"  # exactly at the cap
    over = evaluate(store, Job(query, fmt, None, None, 19, 2**20))
    assert over.status == "too-large" and "more than 19 rows" in over.message
