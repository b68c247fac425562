"""/metrics: service-wide Prometheus counters that move by exactly the traffic sent, whichever process answers."""

from __future__ import annotations

import json
import multiprocessing
import os
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from prometheus_client.parser import text_string_to_metric_families

from conftest import serving
from ntrkkg.sparql.counters import Counters, serve_as
from ntrkkg.sparql.metrics import QUERY_FIELDS, latency, observe, refusal_of
from ntrkkg.sparql.vetting import QueryRejected, vet

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]

PARTNERS = """SELECT ?partner WHERE {
  ?f <https://w3id.org/ntrkkg/ontology#threePrimePartner> <https://w3id.org/ntrkkg/gene/NTRK3> ;
     <https://w3id.org/ntrkkg/ontology#fivePrimePartner>/<http://www.w3.org/2000/01/rdf-schema#label> ?partner .
} ORDER BY ?partner"""
SYNTAX_ERROR = "SELECT ?x WHERE { ?x ?y }"  # tokens vetting accepts; the engine's parser refuses them
SERVICE = "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"
OVER_ROW_CAP = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def parse(text: str) -> Samples:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def scrape(url: str) -> Samples:
    with urllib.request.urlopen(url + "/metrics", timeout=10) as response:
        assert response.headers["Content-Type"].startswith("text/plain; version=")
        return parse(response.read().decode("utf-8"))


def get(url: str, path: str, data: bytes | None = None, **params: str) -> tuple[int, bytes]:
    query = "?" + urllib.parse.urlencode(params) if params else ""
    try:
        with urllib.request.urlopen(url + path + query, data=data, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def delta(before: Samples, after: Samples, name: str, **labels: str) -> float:
    key = (name, tuple(sorted(labels.items())))
    return after.get(key, 0.0) - before.get(key, 0.0)


# --- The shared counters ---------------------------------------------------------------------


def _count_in_slot(counters: Counters, slot: int, times: int) -> None:
    serve_as(slot)
    for _ in range(times):
        counters.add("jobs")
    counters.add_many(("cache_hits", "timeouts"), (slot, 1))


def test_counters_sum_the_slots_of_forked_processes() -> None:
    counters = Counters(3)
    context = multiprocessing.get_context("fork")
    children = [context.Process(target=_count_in_slot, args=(counters, slot, 10 * slot)) for slot in (1, 2)]
    for child in children:
        child.start()
    for child in children:
        child.join(10)
        assert child.exitcode == 0
    counters.add("jobs", 5)  # this process writes slot 0
    assert counters.slot == 0
    assert counters.jobs == 5 + 10 + 20
    assert counters.totals() == {name: 0 for name in counters.fields} | {"jobs": 35, "cache_hits": 3, "timeouts": 2}


def test_a_table_smaller_than_the_service_is_written_in_slot_zero() -> None:
    counters = Counters(1)
    pid = os.fork()
    if pid == 0:  # a serving process with a private table still counts, in the only slot there is
        serve_as(4)
        counters.add("crashes")
        os._exit(0)
    os.waitpid(pid, 0)
    assert counters.crashes == 1


@pytest.mark.parametrize(
    ("query", "limits", "reason"),
    [
        ("INSERT DATA { <http://a> <http://b> <http://c> }", {}, "vetting_update"),
        ("SELECT * WHERE { ?s ?p ?o } ; DELETE WHERE { ?s ?p ?o }", {}, "vetting_update"),
        (SERVICE, {}, "vetting_service"),
        ("SELECT * WHERE { ?s ?p ?o }", {"max_length": 10}, "vetting_limit"),
        ("SELECT * WHERE " + "{" * 30 + " ?s ?p ?o " + "}" * 30, {"max_depth": 20}, "vetting_limit"),
        ("SELECT * WHERE { ?s ?p ?o . ?o ?p ?s }", {"max_size": 5}, "vetting_limit"),
        ("SELECT (" + "REGEX(" * 9 + '"a"' + ', "a")' * 9 + " AS ?x) WHERE {}", {}, "vetting_limit"),
        ("SELEC ?x WHERE { ?x ?p ?o }", {}, "vetting_syntax"),
        ('SELECT * WHERE { ?s ?p "unterminated }', {}, "vetting_syntax"),
        ("PREFIX ex: <http://example.org/>", {}, "vetting_syntax"),
    ],
)
def test_vetting_refusals_are_counted_by_reason(query: str, limits: dict[str, int], reason: str) -> None:
    with pytest.raises(QueryRejected) as refused:
        vet(query, **limits)  # type: ignore[arg-type]
    assert refusal_of(refused.value) == reason


def test_latency_buckets_are_inclusive_and_count_is_their_sum() -> None:
    counters = Counters(1, QUERY_FIELDS)
    for seconds in (0.001, 0.003, 0.003, 100.0):
        observe(counters, "ok", seconds)
    observe(counters, "not-an-outcome", 0.2)
    histograms = latency(counters.totals())
    ok = dict(histograms["ok"].cumulative())
    assert (ok["0.001"], ok["0.0025"], ok["0.005"], ok["60"], ok["+Inf"]) == (1, 1, 3, 3, 4)
    assert histograms["ok"].count == 4
    assert histograms["ok"].sum_seconds == pytest.approx(100.007)
    assert dict(histograms["other"].cumulative())["0.25"] == 1
    assert histograms["timeout"].count == 0


# --- The route labels ------------------------------------------------------------------------


def test_routes_are_labelled_by_template_never_by_path(client: FlaskClient) -> None:
    before = parse(client.get("/metrics").get_data(as_text=True))
    assert client.get("/gene/NTRK1", headers={"Accept": "text/html"}).status_code == 200
    assert client.get("/gene/NOT-A-GENE", headers={"Accept": "text/html"}).status_code == 404
    for n in range(20):
        assert client.get(f"/no-such-page-{n}").status_code == 404
    assert client.post("/health").status_code == 405
    assert client.get("/downloads").status_code == 308  # to /downloads/: no route of its own
    after = parse(client.get("/metrics").get_data(as_text=True))
    entity = next(
        route
        for (name, labels) in after
        if name == "ntrkkg_http_requests_total"
        for key, route in labels
        if key == "route" and route.endswith(":kind>/<path:rest>")
    )
    assert delta(before, after, "ntrkkg_http_requests_total", route=entity, code="200") == 1
    assert delta(before, after, "ntrkkg_http_requests_total", route=entity, code="404") == 1
    assert delta(before, after, "ntrkkg_http_requests_total", route="(unmatched)", code="404") == 20
    assert delta(before, after, "ntrkkg_http_requests_total", route="/health", code="405") == 1
    assert delta(before, after, "ntrkkg_http_requests_total", route="(unmatched)", code="308") == 1
    routes = {value for (name, labels) in after for key, value in labels if key == "route"}
    assert not any("no-such-page" in route or "NTRK1" in route for route in routes)


# --- A live service of two processes ---------------------------------------------------------


@pytest.fixture(scope="module")
def two_processes(dist: Path) -> Iterator[str]:
    """``ntrkkg serve`` with two serving processes, a 1 s time limit and a 100-row cap."""
    with serving(dist, NTRKKG_WORKERS="2", NTRKKG_ENGINES="4", NTRKKG_TIMEOUT="1", NTRKKG_ROW_CAP="100") as url:
        yield url


def test_metrics_move_with_the_traffic_across_processes(two_processes: str) -> None:
    url = two_processes
    for n in range(6):  # every serving process forks its engines before the counting starts
        assert get(url, "/sparql", query=f"ASK {{ ?s ?p {n} }}")[0] == 200
    before = scrape(url)

    # Each request is a new connection, which the kernel spreads over the two serving processes.
    bodies = {}
    for _ in range(2):  # the second round is answered from the cache the processes share
        for fmt in ("json", "csv", "tsv"):
            status, bodies[fmt] = get(url, "/sparql", query=PARTNERS, format=fmt)
            assert status == 200
    assert bodies["csv"].decode().split() == ["partner", "EML4", "ETV6", "SPECC1L"]
    assert get(url, "/sparql", query=SYNTAX_ERROR)[0] == 400
    status, body = get(url, "/sparql", query=SERVICE)
    assert status == 400 and b"SERVICE is disabled" in body
    status, body = get(url, "/sparql", query=OVER_ROW_CAP)
    assert status == 400 and b"more than 100 rows" in body
    status, body = get(url, "/sparql", query=HEAVY)
    assert status == 503 and b"ran longer than 1 s" in body
    for n in range(3):
        assert get(url, f"/no/such/page-{n}")[0] == 404
    assert get(url, "/health", data=b"")[0] == 405

    readings = [scrape(url) for _ in range(6)]  # six connections: both processes answer some of them
    for after in readings:

        def moved(name: str, **labels: str) -> float:
            return delta(before, after, name, **labels)  # noqa: B023 (used at once, in this iteration)

        requests = "ntrkkg_http_requests_total"
        assert moved(requests, route="/sparql", code="200") == 6
        assert moved(requests, route="/sparql", code="400") == 3
        assert moved(requests, route="/sparql", code="503") == 1
        assert moved(requests, route="(unmatched)", code="404") == 3
        assert moved(requests, route="/health", code="405") == 1
        assert moved(requests, route="/health", code="200") == 0

        count = "ntrkkg_query_duration_seconds_count"
        assert moved(count, outcome="ok") == 6
        assert moved(count, outcome="syntax") == 1
        assert moved(count, outcome="too-large") == 1
        assert moved(count, outcome="timeout") == 1
        timeout_bucket = "ntrkkg_query_duration_seconds_bucket"
        assert moved(timeout_bucket, outcome="timeout", le="0.5") == 0
        assert moved(timeout_bucket, outcome="timeout", le="+Inf") == 1
        assert moved("ntrkkg_query_duration_seconds_sum", outcome="timeout") >= 1.0

        refusals = "ntrkkg_query_refusals_total"
        assert moved(refusals, reason="vetting_service") == 1
        assert moved(refusals, reason="result_cap") == 1
        for reason in ("vetting_update", "vetting_limit", "vetting_syntax", "client_share", "queue_full"):
            assert moved(refusals, reason=reason) == 0

        assert moved("ntrkkg_query_timeouts_total") == 1
        assert moved("ntrkkg_engine_restarts_total", reason="timeout") == 1
        assert moved("ntrkkg_engine_restarts_total", reason="crash") == 0
        assert moved("ntrkkg_engine_jobs_total") == 6  # 3 formats, the syntax error, the row cap, the timeout
        assert moved("ntrkkg_cache_hits_total") == 3
        assert moved("ntrkkg_cache_misses_total") == 6
        assert after[("ntrkkg_cache_bytes", ())] > 0
        assert after[("ntrkkg_serving_processes", ())] == 2

    # /stats reads the same cells.
    status, body = get(url, "/stats")
    stats = json.loads(body)
    final = scrape(url)
    assert stats["cache_hits"] == final[("ntrkkg_cache_hits_total", ())]
    assert stats["timeouts"] == final[("ntrkkg_query_timeouts_total", ())]


def test_openmetrics_is_served_when_asked_for(two_processes: str) -> None:
    request = urllib.request.Request(
        two_processes + "/metrics", headers={"Accept": "application/openmetrics-text; version=1.0.0"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.headers["Content-Type"].startswith("application/openmetrics-text")
        text = response.read().decode("utf-8")
    assert text.endswith("# EOF\n")
    assert "# TYPE ntrkkg_query_duration_seconds histogram" in text
