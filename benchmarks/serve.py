"""Throughput and latency of the ntrkkg SPARQL service against Oxigraph's and rdflib-endpoint's.

    .venv/bin/pip install oxigraph 'rdflib-endpoint[cli]'
    .venv/bin/python benchmarks/serve.py [--duration 10] [--repeats 3] [--soak 60]

All servers run on 127.0.0.1, on the same N-Quads dump (``DIST/ntrkkg-*.nq``), with the union of
its graphs as the default graph:

* ntrkkg (``ntrkkg serve``, waitress), once with its result cache on (the default) and once with
  it off (``NTRKKG_CACHE_BYTES=0``), so that the comparison is not only a cache benchmark;
* ``oxigraph serve --union-default-graph`` (Rust) on a store loaded with ``oxigraph load``;
* ``rdflib-endpoint serve`` (rdflib's in-memory ``Dataset`` with ``default_union=True``, uvicorn).

The workload is the example queries of ``queries/*.ttl`` (the object of ``sh:select``, ``sh:ask``,
``sh:construct`` or ``sh:describe``), without the federated ones (``spex:federatesWith``), sent by
POST as ``application/sparql-query``. Every server must first answer every query with HTTP 200;
failures are reported and those queries are left out of the timed runs of all servers.

Each concurrency level runs for ``--duration`` seconds or ``--requests`` requests, whichever comes
first, ``--repeats`` times, interleaving the servers; the tables show medians over the repeats.
rdflib-endpoint gets a smaller request budget and a per-request timeout, so the run stays bounded.
``--soak SECONDS`` then runs ntrkkg alone at concurrency 32 and reports errors and the growth of
the resident memory (VmRSS summed over the server's process group: the server process and
their engine processes) from before to after.

The load generator is Python threads with one keep-alive connection each; it shares the machine's
cores with the server under test, which caps the throughput it can measure for fast servers.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import itertools
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from rdflib import Graph

from ntrkkg.build.examples import read_example

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
JSON_RESULTS = "application/sparql-results+json"
TURTLE = "text/turtle"

TARGET_OXIGRAPH_THROUGHPUT = 0.5  # ntrkkg ≥ 0.5 × Oxigraph's requests/s
TARGET_RDFLIB_THROUGHPUT = 20.0  # ntrkkg ≥ 20 × rdflib-endpoint's requests/s
TARGET_P99 = 3.0  # ntrkkg p99 ≤ 3 × Oxigraph's p99
TARGET_SOAK_GROWTH = 10.0  # % RSS growth over the soak


# --- the workload -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    name: str
    form: str
    text: str

    @property
    def accept(self) -> str:
        return TURTLE if self.form in ("construct", "describe") else JSON_RESULTS


def load_queries(folder: Path) -> list[Query]:
    """The example queries of ``folder/*.ttl`` that any store answers (no SERVICE, no function of ours)."""
    return [Query(e.path.stem, e.kind, e.query) for e in map(read_example, sorted(folder.glob("*.ttl"))) if e.portable]


# --- servers ------------------------------------------------------------------------------------


@dataclass
class Server:
    """A server process started in its own session, so its whole process group can be stopped."""

    name: str
    url: str
    process: subprocess.Popen[bytes]
    log: Path
    budget: int | None = None  # requests per run; None: only the duration bounds a run
    timeout: float = 30.0  # seconds per request

    @property
    def pgid(self) -> int:
        return self.process.pid


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def launch(name: str, command: Sequence[str], url: str, log: Path, env: dict[str, str] | None = None) -> Server:
    with log.open("wb") as out:
        process = subprocess.Popen(
            command,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            cwd=ROOT,
            start_new_session=True,
        )
    return Server(name, url, process, log)


def wait_ready(server: Server, timeout: float) -> None:
    """Poll with a trivial ASK until the server answers 200."""
    deadline = time.monotonic() + timeout
    probe = Query("probe", "ask", "ASK { ?s ?p ?o }")
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.name} exited with {server.process.returncode}; see {server.log}")
        with contextlib.suppress(OSError, http.client.HTTPException):
            if send(Client(server.url, 5.0), probe)[0] == 200:
                return
        time.sleep(0.3)
    raise RuntimeError(f"{server.name} did not answer within {timeout:.0f} s; see {server.log}")


GRACE = 15.0  # seconds between SIGTERM and SIGKILL


def stop_all(servers: Sequence[Server]) -> None:
    """SIGTERM each process group, wait up to GRACE seconds, SIGKILL what is left and say so."""
    for server in servers:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pgid, signal.SIGTERM)
    deadline = time.monotonic() + GRACE
    for server in servers:
        with contextlib.suppress(subprocess.TimeoutExpired):
            server.process.wait(max(0.0, deadline - time.monotonic()))
    for server in servers:
        leftovers = group_pids(server.pgid)
        if leftovers:
            print(
                f"note: {len(leftovers)} process(es) of {server.name} were still running {GRACE:g} s after "
                "SIGTERM; killed",
                flush=True,
            )
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pgid, signal.SIGKILL)
        server.process.wait()


def ntrkkg_dump(dist: Path) -> Path:
    """The N-Quads dump in ``dist``, building it first if there is none."""
    if not any(dist.glob("ntrkkg-*.nq")):
        print(f"no dump in {dist}/: running `ntrkkg build --out {dist}`", flush=True)
        subprocess.run([str(BIN / "ntrkkg"), "build", "--out", str(dist)], check=True, cwd=ROOT)
    return sorted(dist.glob("ntrkkg-*.nq"))[-1]


def start_ntrkkg(name: str, dist: Path, engines: int, cache: bool, logs: Path) -> Server:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("NTRKKG_")}
    # One load generator is one client: let it use every engine and queue as a fleet of clients would.
    env.update(NTRKKG_ENGINES_PER_CLIENT="64", NTRKKG_QUEUE="64")
    if engines:
        env["NTRKKG_ENGINES"] = str(engines)
    if not cache:
        env["NTRKKG_CACHE_BYTES"] = "0"
    command = [str(BIN / "ntrkkg"), "serve", "--host", "127.0.0.1", "--port", str(port), "--dist", str(dist)]
    return launch(name, command, f"http://127.0.0.1:{port}/sparql", logs / f"{name}.log", env)


def start_oxigraph(dump: Path, work: Path, logs: Path) -> Server:
    oxigraph = tool("oxigraph", "oxigraph")
    location = work / "oxigraph-store"
    subprocess.run(
        [oxigraph, "load", "--location", str(location), "--file", str(dump)],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    port = free_port()
    command = [oxigraph, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}", "--union-default-graph"]
    return launch("oxigraph", command, f"http://127.0.0.1:{port}/query", logs / "oxigraph.log")


def start_rdflib_endpoint(dump: Path, logs: Path, budget: int, timeout: float) -> Server:
    port = free_port()
    command = [
        tool("rdflib-endpoint", "rdflib-endpoint[cli]"),
        "serve",
        str(dump),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    server = launch("rdflib-endpoint", command, f"http://127.0.0.1:{port}/", logs / "rdflib-endpoint.log")
    server.budget, server.timeout = budget, timeout
    return server


def tool(command: str, package: str) -> str:
    found = shutil.which(command, path=str(BIN)) or shutil.which(command)
    if found is None:
        sys.exit(f"`{command}` not found: {BIN / 'pip'} install '{package}'")
    return found


# --- the HTTP client ----------------------------------------------------------------------------


class Client:
    """One keep-alive HTTP/1.1 connection, reopened after an error."""

    def __init__(self, url: str, timeout: float) -> None:
        parts = urlsplit(url)
        self.host, self.port, self.path = parts.hostname or "127.0.0.1", parts.port or 80, parts.path or "/"
        self.timeout = timeout
        self.conn: http.client.HTTPConnection | None = None

    def post(self, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        if self.conn is None:
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            self.conn.request("POST", self.path, body=body, headers=headers)
            response = self.conn.getresponse()
            return response.status, response.read()
        except (OSError, http.client.HTTPException):
            self.close()
            raise

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def send(client: Client, query: Query) -> tuple[int, bytes]:
    return client.post(query.text.encode("utf-8"), {"Content-Type": "application/sparql-query", "Accept": query.accept})


# --- the checks before timing -------------------------------------------------------------------


def answer_size(query: Query, body: bytes) -> str:
    """Rows, the boolean, or triples: enough to see whether two servers answered alike."""
    if query.accept == TURTLE:
        return f"{len(Graph().parse(data=body, format='turtle'))} triples"
    data = json.loads(body)
    if "boolean" in data:
        return str(data["boolean"]).lower()
    return f"{len(data['results']['bindings'])} rows"


def check_server(server: Server, queries: list[Query]) -> tuple[dict[str, str], dict[str, str]]:
    """Each query once: (failures by query name, answer sizes by query name)."""
    failures, sizes = {}, {}
    client = Client(server.url, server.timeout)
    for query in queries:
        try:
            status, body = send(client, query)
        except (OSError, http.client.HTTPException) as error:
            failures[query.name] = f"{type(error).__name__}: {error}"
            continue
        if status != 200:
            failures[query.name] = f"HTTP {status}: {body[:200].decode('utf-8', 'replace').strip()}"
            continue
        try:
            sizes[query.name] = answer_size(query, body)
        except Exception as error:  # noqa: BLE001 -- any unreadable body is a failure to report
            failures[query.name] = f"unreadable body: {error}"
    client.close()
    return failures, sizes


def disagreements(sizes: dict[str, dict[str, str]]) -> list[str]:
    names = sorted({name for by_query in sizes.values() for name in by_query})
    lines = []
    for name in names:
        answers = {server: by_query.get(name) for server, by_query in sizes.items()}
        if len(set(answers.values())) > 1:
            lines.append(f"  {name}: " + ", ".join(f"{s} {a}" for s, a in answers.items()))
    return lines


# --- load ---------------------------------------------------------------------------------------


@dataclass
class Run:
    concurrency: int
    seconds: float
    latencies: list[float] = field(default_factory=list)  # ms, successful requests only
    errors: int = 0
    client_cpu: float = 0.0  # CPU seconds of this (load-generating) process per wall second

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        return percentile(self.latencies, p)


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def run_load(server: Server, queries: list[Query], concurrency: int, duration: float) -> Run:
    """``concurrency`` threads send the queries round-robin until the time or the budget is spent."""
    tickets = itertools.count() if server.budget is None else iter(range(server.budget))
    lock = threading.Lock()
    latencies: list[list[float]] = [[] for _ in range(concurrency)]
    errors = [0] * concurrency
    cpu = time.process_time()
    start = time.perf_counter()
    deadline = start + duration

    def worker(slot: int) -> None:
        client = Client(server.url, server.timeout)
        while time.perf_counter() < deadline:
            with lock:
                ticket = next(tickets, None)
            if ticket is None:
                break
            query = queries[(ticket + slot) % len(queries)]
            sent = time.perf_counter()
            try:
                status, _ = send(client, query)
            except (OSError, http.client.HTTPException):
                status = 0
            if status == 200:
                latencies[slot].append((time.perf_counter() - sent) * 1000)
            else:
                errors[slot] += 1
        client.close()

    threads = [threading.Thread(target=worker, args=(slot,), daemon=True) for slot in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - start
    run = Run(concurrency, seconds, errors=sum(errors), client_cpu=(time.process_time() - cpu) / seconds)
    run.latencies = [ms for per_thread in latencies for ms in per_thread]
    return run


@dataclass(frozen=True)
class Summary:
    """Medians over the repeats of one server at one level."""

    throughput: float
    p50: float
    p99: float
    errors: int
    requests: int
    client_cpu: float


def summarise(runs: list[Run]) -> Summary:
    return Summary(
        statistics.median(r.throughput for r in runs),
        statistics.median(r.percentile(50) for r in runs),
        statistics.median(r.percentile(99) for r in runs),
        sum(r.errors for r in runs),
        sum(len(r.latencies) + r.errors for r in runs),
        statistics.median(r.client_cpu for r in runs),
    )


# --- memory -------------------------------------------------------------------------------------


def group_pids(pgid: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) == pgid:  # after the command: state, ppid, pgrp
                pids.append(int(entry.name))
    return pids


def rss_kib(pid: int) -> int:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def group_rss(pgid: int) -> tuple[int, int]:
    """(total VmRSS in KiB, number of processes) of a process group."""
    pids = group_pids(pgid)
    return sum(rss_kib(pid) for pid in pids), len(pids)


# --- reporting ----------------------------------------------------------------------------------


def fmt(value: float, digits: int = 1) -> str:
    return "n/a" if value != value else f"{value:,.{digits}f}"  # NaN check


def results_table(results: dict[str, dict[int, Summary]], levels: Sequence[int]) -> str:
    lines = [
        "| server | concurrency | requests/s | p50 ms | p99 ms | errors | requests | client CPU |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, by_level in results.items():
        for level in levels:
            s = by_level[level]
            lines.append(
                f"| {name} | {level} | {fmt(s.throughput)} | {fmt(s.p50)} | {fmt(s.p99)} | {s.errors} "
                f"| {s.requests} | {s.client_cpu:.0%} |"
            )
    return "\n".join(lines)


def ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator and denominator == denominator else float("nan")


def verdict(value: float, target: float, at_least: bool) -> str:
    if value != value:
        return "n/a"
    return "met" if (value >= target if at_least else value <= target) else "missed"


def ratios_table(results: dict[str, dict[int, Summary]], ours: Sequence[str], levels: Sequence[int]) -> str:
    lines = [
        "| ntrkkg | concurrency | ÷ oxigraph req/s (≥ 0.5) | ÷ rdflib-endpoint req/s (≥ 20) "
        "| p99 ÷ oxigraph p99 (≤ 3) |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    ox, rdf = results.get("oxigraph"), results.get("rdflib-endpoint")
    for name in ours:
        for level in levels:
            s = results[name][level]
            cells = []
            for other, attr, target, at_least in (
                (ox, "throughput", TARGET_OXIGRAPH_THROUGHPUT, True),
                (rdf, "throughput", TARGET_RDFLIB_THROUGHPUT, True),
                (ox, "p99", TARGET_P99, False),
            ):
                value = ratio(getattr(s, attr), getattr(other[level], attr)) if other else float("nan")
                cells.append(f"{fmt(value, 2)}× ({verdict(value, target, at_least)})")
            lines.append(f"| {name} | {level} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


# --- the phases ---------------------------------------------------------------------------------


def start_all(args: argparse.Namespace, dump: Path, work: Path, stack: contextlib.ExitStack) -> list[Server]:
    servers: list[Server] = []
    stack.callback(stop_all, servers)
    servers.append(start_ntrkkg("ntrkkg (cache on)", args.dist, args.engines, True, work))
    servers.append(start_ntrkkg("ntrkkg (cache off)", args.dist, args.engines, False, work))
    servers.append(start_oxigraph(dump, work, work))
    servers.append(start_rdflib_endpoint(dump, work, args.rdflib_requests, args.rdflib_timeout))
    for server in servers:
        wait_ready(server, args.startup_timeout)
    return servers


def check_all(servers: list[Server], queries: list[Query]) -> list[Query]:
    """Report failures and disagreements; return the queries every server answered."""
    print(f"checking {len(queries)} queries on each server", flush=True)
    failed: set[str] = set()
    sizes: dict[str, dict[str, str]] = {}
    for server in servers:
        failures, sizes[server.name] = check_server(server, queries)
        for name, reason in failures.items():
            print(f"  FAIL {server.name}: {name}: {reason}")
        failed |= failures.keys()
    lines = disagreements(sizes)
    if lines:
        print("answers differ (rows, boolean or triples) for:\n" + "\n".join(lines))
    kept = [q for q in queries if q.name not in failed]
    print(f"all servers answered {len(kept)} of {len(queries)} queries with HTTP 200; timing those", flush=True)
    return kept


def warm_up(servers: list[Server], queries: list[Query], seconds: float) -> None:
    for server in servers:
        budget, server.budget = server.budget, min(server.budget or 10**9, 2 * len(queries))
        run_load(server, queries, 8, seconds)
        server.budget = budget


def compare(
    servers: list[Server], queries: list[Query], levels: Sequence[int], repeats: int, duration: float
) -> dict[str, dict[int, Summary]]:
    runs: dict[str, dict[int, list[Run]]] = {s.name: {level: [] for level in levels} for s in servers}
    for repeat in range(1, repeats + 1):
        for level in levels:
            for server in servers:
                run = run_load(server, queries, level, duration)
                runs[server.name][level].append(run)
                print(
                    f"  [{repeat}/{repeats}] {server.name:20} c={level:<3} {run.throughput:9.1f} req/s  "
                    f"p50 {fmt(run.percentile(50)):>8} ms  p99 {fmt(run.percentile(99)):>8} ms  "
                    f"errors {run.errors}  client CPU {run.client_cpu:.0%}",
                    flush=True,
                )
    return {name: {level: summarise(r) for level, r in by_level.items()} for name, by_level in runs.items()}


@dataclass(frozen=True)
class Soak:
    run: Run
    rss_before: int
    rss_after: int
    processes_before: int
    processes_after: int

    @property
    def growth(self) -> float:
        return 100 * (self.rss_after - self.rss_before) / self.rss_before if self.rss_before else float("nan")


def soak(args: argparse.Namespace, queries: list[Query], work: Path) -> Soak:
    cache = args.soak_cache == "on"
    with contextlib.ExitStack() as stack:
        server = start_ntrkkg(f"ntrkkg (cache {args.soak_cache})", args.dist, args.engines, cache, work)
        stack.callback(stop_all, [server])
        wait_ready(server, args.startup_timeout)
        run_load(server, queries, 32, min(10.0, args.soak))  # the engines fork on first use
        rss_before, processes_before = group_rss(server.pgid)
        run = run_load(server, queries, 32, args.soak)
        rss_after, processes_after = group_rss(server.pgid)
    return Soak(run, rss_before, rss_after, processes_before, processes_after)


def print_soak(result: Soak, args: argparse.Namespace) -> None:
    run = result.run
    print(f"\n## Soak: ntrkkg alone (cache {args.soak_cache}), concurrency 32, {run.seconds:.0f} s\n")
    print(
        "| requests | requests/s | p50 ms | p99 ms | errors (target 0) | RSS before MiB | RSS after MiB "
        "| growth (target ≤ 10%) |\n| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    )
    print(
        f"| {len(run.latencies) + run.errors} | {fmt(run.throughput)} | {fmt(run.percentile(50))} "
        f"| {fmt(run.percentile(99))} | {run.errors} ({verdict(-run.errors, 0, True)}) "
        f"| {result.rss_before / 1024:.1f} | {result.rss_after / 1024:.1f} "
        f"| {result.growth:+.1f}% ({verdict(result.growth, TARGET_SOAK_GROWTH, False)}) |"
    )
    print(
        f"\nRSS is VmRSS summed over the server's process group ({result.processes_before} processes before, "
        f"{result.processes_after} after); pages shared after fork are counted once per process."
    )


def print_comparison(results: dict[str, dict[int, Summary]], args: argparse.Namespace, queries: int) -> None:
    print(
        f"\n## Results: medians of {args.repeats} repeat(s); {queries} queries round-robin; "
        f"each run ≤ {args.duration:g} s\n"
    )
    print(results_table(results, args.levels))
    print(
        "\nclient CPU: CPU time of the load generator per second of the run (100% = one core; its "
        "threads share one GIL); near 100% the client, not the server, is the bottleneck."
    )
    print(
        f"\nrdflib-endpoint is given at most {args.rdflib_requests} requests per run and "
        f"{args.rdflib_timeout:g} s per request (a timed-out request counts as an error), so its run "
        "stays bounded; the others run for the full duration."
    )
    ours = [name for name in results if name.startswith("ntrkkg")]
    print("\n## Ratios (targets in brackets)\n")
    print(ratios_table(results, ours, args.levels))


# --- main ---------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="build folder (built if it has no dump)")
    parser.add_argument("--queries", type=Path, default=ROOT / "queries", help="folder of example queries")
    parser.add_argument("--levels", type=int, nargs="+", default=[1, 8, 32], help="concurrency levels")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per run (default 10)")
    parser.add_argument("--repeats", type=int, default=3, help="runs per server and level; medians are shown")
    parser.add_argument("--engines", type=int, default=0, help="ntrkkg query engines in all (default: its own)")
    parser.add_argument("--rdflib-requests", type=int, default=300, help="rdflib-endpoint requests per run")
    parser.add_argument("--rdflib-timeout", type=float, default=30.0, help="rdflib-endpoint seconds per request")
    parser.add_argument("--startup-timeout", type=float, default=120.0, help="seconds for a server to come up")
    parser.add_argument(
        "--soak",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="then run ntrkkg alone at concurrency 32 for SECONDS and report RSS growth",
    )
    parser.add_argument(
        "--soak-cache",
        choices=("on", "off"),
        default="off",
        help="ntrkkg's result cache during the soak (off: every request reaches an engine)",
    )
    parser.add_argument("--soak-only", action="store_true", help="skip the comparison")
    return parser.parse_args(argv)


@contextlib.contextmanager
def workspace() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="ntrkkg-bench-") as folder:
        yield Path(folder)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    args.dist = args.dist.resolve()
    dump = ntrkkg_dump(args.dist)
    queries = load_queries(args.queries)
    print(
        f"dump {dump} ({dump.stat().st_size / 2**20:.1f} MiB); {len(queries)} example queries; "
        f"{os.cpu_count()} CPU(s); ntrkkg with {args.engines or 'its default number of'} engines",
        flush=True,
    )
    with workspace() as work:
        if not args.soak_only:
            with contextlib.ExitStack() as stack:
                servers = start_all(args, dump, work, stack)
                queries = check_all(servers, queries)
                warm_up(servers, queries, 2.0)
                results = compare(servers, queries, args.levels, args.repeats, args.duration)
            print_comparison(results, args, len(queries))
        if args.soak > 0:
            print(f"\nsoak: ntrkkg alone at concurrency 32 for {args.soak:g} s", flush=True)
            print_soak(soak(args, queries, work), args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
