"""How the graph's costs grow with its size, on synthetic graphs from benchmarks/synth.py.

    python benchmarks/scale.py                      # 10k, 100k, 1M
    python benchmarks/scale.py --max 100k           # quick: 10k, 100k
    python benchmarks/scale.py --sizes 10k,30k,100k,1M --budget 600

For each size, each stage group runs in a fresh subprocess, so its peak RSS is its own:

* ``oxigraph``: bulk_load of the N-Triples file into an in-memory pyoxigraph store (target:
  1M in ≤ 10 s); the cheap reasoning remedy (the ontology's own RDFS/OWL axioms as SPARQL
  updates, to a fixpoint); p50/p99 of every example query in queries/ except federated ones
  (target: p50 ≤ 100 ms at 1M); and the scoped-validation remedy (pyshacl on the
  neighbourhood of one changed row, extracted with a CONSTRUCT).
* ``owlrl``: the build's OWL-RL closure (ntrkkg.reasoning.infer) on ontology + data, and how
  much of it the remedy reproduces.
* ``shacl``: the build's full validation (ntrkkg.validation.validate) with the project's shapes.

owlrl and pyshacl grow faster than linearly. A stage is skipped at a size once it took more
than ``--skip-above`` seconds (or timed out after ``--budget``) at a smaller size, or when the
log-log slope of its measured points predicts more than ``--budget``; its time is then
extrapolated from that slope. Results go to
benchmarks/scale-results.md and benchmarks/scale.png (matplotlib, not a project dependency).
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
ONTOLOGY = ROOT / "ontology" / "ntrkkg.ttl"
NTRKKG = "https://w3id.org/ntrkkg/ontology#"
STAGES = ("oxigraph", "owlrl", "shacl")
SLOW_STAGES = ("owlrl", "shacl")

# The remedy for reasoning: the ontology's own axioms, applied with SPARQL on pyoxigraph.
PREFIXES = """PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
"""
CLOSURE_RULES = (
    # rdfs11: subClassOf is transitive
    "INSERT { ?a rdfs:subClassOf ?c } WHERE { ?a rdfs:subClassOf ?b . ?b rdfs:subClassOf ?c . "
    "FILTER(isIRI(?a) && isIRI(?c) && ?a != ?c) }",
    # rdfs9: instances of a class are instances of its superclasses
    "INSERT { ?x a ?c } WHERE { ?x a ?b . ?b rdfs:subClassOf ?c . FILTER(isIRI(?x) && isIRI(?c)) }",
    # rdfs5 + rdfs7: subPropertyOf
    "INSERT { ?p rdfs:subPropertyOf ?r } WHERE { ?p rdfs:subPropertyOf ?q . ?q rdfs:subPropertyOf ?r . "
    "FILTER(?p != ?r) }",
    "INSERT { ?s ?q ?o } WHERE { ?p rdfs:subPropertyOf ?q . ?s ?p ?o . FILTER(isIRI(?s) && isIRI(?q) && ?p != ?q) }",
    # rdfs2, rdfs3: domain and range (object values only)
    "INSERT { ?s a ?c } WHERE { ?p rdfs:domain ?c . ?s ?p ?o . FILTER(isIRI(?s) && isIRI(?c)) }",
    "INSERT { ?o a ?c } WHERE { ?p rdfs:range ?c . ?s ?p ?o . FILTER(isIRI(?o) && isIRI(?c)) }",
    # owl:inverseOf, both ways
    "INSERT { ?o ?q ?s } WHERE { ?p owl:inverseOf ?q . ?s ?p ?o . FILTER(isIRI(?o)) }",
    "INSERT { ?o ?p ?s } WHERE { ?p owl:inverseOf ?q . ?s ?q ?o . FILTER(isIRI(?o)) }",
    # owl:equivalentClass to a union of hasValue restrictions (ntrkkg:NTRKFusion)
    "INSERT { ?x a ?c } WHERE { ?c owl:equivalentClass/owl:unionOf/rdf:rest*/rdf:first ?r . "
    "?r owl:onProperty ?p ; owl:hasValue ?v . ?x ?p ?v . FILTER(isIRI(?c)) }",
    # owl:equivalentClass to an intersection of classes and hasValue restrictions (facet classes)
    "INSERT { ?x a ?c } WHERE { ?c owl:equivalentClass/owl:intersectionOf ?list . "
    "?list rdf:rest*/rdf:first ?r . ?r owl:onProperty ?p ; owl:hasValue ?v . ?x ?p ?v . "
    "FILTER NOT EXISTS { ?list rdf:rest*/rdf:first ?m . "
    "FILTER NOT EXISTS { { ?x a ?m } UNION { ?m owl:onProperty ?mp ; owl:hasValue ?mv . ?x ?mp ?mv } } } "
    "FILTER(isIRI(?c)) }",
)

# The remedy for validation: one changed row's nodes, their outgoing triples, their objects'
# outgoing triples, and the types of those objects' objects: everything our shapes look at.
ROW_NODES = """
  { BIND(<ROW> AS ?n) } UNION { ?n ntrkkg:tumourType <ROW> } UNION
  { ?st ntrkkg:tumourType <ROW> ; ntrkkg:hasMarkerFinding|ntrkkg:hasImagingFinding|ntrkkg:hasCohortSubgroup ?n }"""
NEIGHBOURHOOD = f"""PREFIX ntrkkg: <{NTRKKG}>
CONSTRUCT {{ ?n ?p ?o . ?o ?p1 ?o1 . ?o1 a ?t }} WHERE {{ {ROW_NODES}
  ?n ?p ?o .
  OPTIONAL {{ ?o ?p1 ?o1 . OPTIONAL {{ ?o1 a ?t }} }}
}}"""
CHANGED_NODES = f"PREFIX ntrkkg: <{NTRKKG}>\nSELECT DISTINCT ?n WHERE {{ {ROW_NODES} }}"


# --- Helpers ----------------------------------------------------------------------------------


def parse_size(text: str) -> int:
    text = text.strip().lower().replace("_", "")
    factor = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    return int(float(text[:-1] if factor > 1 else text) * factor)


def size_name(n: int) -> str:
    if n >= 1_000_000 and n % 1_000_000 == 0:
        return f"{n // 1_000_000}M"
    if n >= 1_000 and n % 1_000 == 0:
        return f"{n // 1_000}k"
    return str(n)


def peak_rss_mib() -> float:
    """Peak resident set size of this process (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def growth_exponent(points: list[tuple[int, float]]) -> float | None:
    """The least-squares slope of log(seconds) against log(size)."""
    points = [(n, t) for n, t in points if t > 0]
    if len(points) < 2:
        return None
    xs = [math.log(n) for n, _ in points]
    ys = [math.log(t) for _, t in points]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    denominator = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / denominator if denominator else None


def example_queries() -> list[tuple[str, str, str]]:
    """(name, kind, text) of every example query that does not federate."""
    from ntrkkg.build.examples import examples

    return [(e.path.stem, e.kind, e.query) for e in examples() if e.portable]


# --- Stages (run in child processes) ----------------------------------------------------------


def load_store(data: Path) -> tuple[Any, float]:
    """An in-memory pyoxigraph store with the ontology and ``data``; seconds for the data."""
    import pyoxigraph as ox

    store = ox.Store()
    store.bulk_load(path=str(ONTOLOGY), format=ox.RdfFormat.TURTLE)
    start = time.perf_counter()
    store.bulk_load(path=str(data), format=ox.RdfFormat.N_TRIPLES)
    return store, time.perf_counter() - start


def close_store(store: Any, max_rounds: int = 6) -> tuple[int, int]:
    """Apply CLOSURE_RULES until the store stops growing; (triples added, rounds)."""
    before = size = len(store)
    for rounds in range(1, max_rounds + 1):
        for rule in CLOSURE_RULES:
            store.update(PREFIXES + rule)
        grown = len(store)
        if grown == size:
            return grown - before, rounds
        size = grown
    return size - before, max_rounds


def time_queries(
    store: Any, reps: int, per_query_budget: float, progress: dict[str, Any], skip: frozenset[str] = frozenset()
) -> dict[str, dict[str, Any]]:
    """p50/p99 of each example query, with at least 3 and at most ``reps`` timed runs.

    A query whose first (untimed) run alone exceeds the budget is not repeated: that run is
    its only sample. Each answer is recorded in ``progress`` as soon as it is known.
    """
    results: dict[str, dict[str, Any]] = progress.setdefault("queries", {})
    for name, kind, text in example_queries():
        if name in skip:
            continue
        start = time.perf_counter()
        answer = store.query(text)
        rows = int(bool(answer)) if kind == "ask" else len(list(answer))
        first = time.perf_counter() - start
        if first > per_query_budget:
            results[name] = {"rows": rows, "runs": 1, "p50": first, "p99": first}
            save_progress(progress)
            continue
        times: list[float] = []
        spent = 0.0
        while len(times) < reps and (len(times) < 3 or spent < per_query_budget):
            start = time.perf_counter()
            answer = store.query(text)
            if kind != "ask":
                for _ in answer:
                    pass
            times.append(time.perf_counter() - start)
            spent += times[-1]
        results[name] = {"rows": rows, "runs": len(times), "p50": percentile(times, 50), "p99": percentile(times, 99)}
        save_progress(progress)
    return results


def synthetic_rows(store: Any, count: int) -> list[str]:
    """The IRIs of ``count`` synthetic rows, spread over the table."""
    rows = [
        r["row"].value
        for r in store.query(f"SELECT ?row WHERE {{ ?row <{NTRKKG}tableRowNumber> ?n FILTER(?n > 8) }} ORDER BY ?n")
    ]
    step = max(1, len(rows) // count)
    return rows[::step][:count]


def scoped_validation(store: Any, rows: list[str]) -> dict[str, Any]:
    """Validate each row's own nodes on their extracted neighbourhood: extraction and pyshacl seconds.

    The focus nodes are the row's nodes only (as if its file changed); the neighbourhood brings
    the triples their shapes look at, and the build's own validation runs on them.
    """
    import pyoxigraph as ox
    from rdflib import Graph, URIRef

    from ntrkkg.build.pipeline import load_inputs
    from ntrkkg.build.validation import validate
    from ntrkkg.namespaces import AUTHORED_BASE

    shapes = load_inputs(AUTHORED_BASE)[1]
    extract, check, sizes, conforms = [], [], [], True
    for row in rows:
        start = time.perf_counter()
        triples = store.query(NEIGHBOURHOOD.replace("ROW", row))
        data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
        graph = Graph().parse(data=data, format="nt")
        focus = [URIRef(b["n"].value) for b in store.query(CHANGED_NODES.replace("ROW", row))]
        extract.append(time.perf_counter() - start)
        start = time.perf_counter()
        report = validate(graph, shapes, focus_nodes=focus)
        check.append(time.perf_counter() - start)
        sizes.append(len(graph))
        conforms = conforms and report.conforms
    return {
        "rows": len(rows),
        "extract_s": statistics.median(extract),
        "validate_s": statistics.median(check),
        "total_s": statistics.median(e + c for e, c in zip(extract, check, strict=True)),
        "triples": statistics.median(sizes),
        "conforms": conforms,
    }


def save_progress(progress: dict[str, Any]) -> None:
    """Write what a stage has measured so far, for the parent to read if the stage times out."""
    if PROGRESS_FILE is not None:
        PROGRESS_FILE.write_text(json.dumps(progress))


def stage_oxigraph(data: Path, reps: int, per_query_budget: float, skip: frozenset[str]) -> dict[str, Any]:
    store, load_s = load_store(data)
    progress: dict[str, Any] = {"load_s": load_s, "store_triples": len(store)}
    save_progress(progress)
    start = time.perf_counter()
    added, rounds = close_store(store)
    progress.update(
        closure_s=time.perf_counter() - start, closure_added=added, closure_rounds=rounds, peak_rss_mib=peak_rss_mib()
    )
    save_progress(progress)
    progress["scoped"] = scoped_validation(store, synthetic_rows(store, 5))
    save_progress(progress)
    time_queries(store, reps, per_query_budget, progress, skip)
    return progress


def rdflib_graph(data: Path) -> tuple[Any, float]:
    from ntrkkg.build.loading import load_files

    graph = load_files([ONTOLOGY])
    start = time.perf_counter()
    graph.parse(str(data), format="nt")
    return graph, time.perf_counter() - start


def remedy_inferred(data: Path) -> set[str]:
    """The triples that the remedy closure adds, as N-Triples text."""
    import pyoxigraph as ox

    asserted, _ = load_store(data)
    closed, _ = load_store(data)
    close_store(closed)
    return {
        f"{q.subject} {q.predicate} {q.object}"
        for q in closed
        if ox.Quad(q.subject, q.predicate, q.object) not in asserted
    }


def stage_owlrl(data: Path) -> dict[str, Any]:
    from ntrkkg.build.reasoning import infer

    graph, parse_s = rdflib_graph(data)
    start, cpu = time.perf_counter(), time.process_time()
    inferred = infer(graph)
    reason_s, cpu_s = time.perf_counter() - start, time.process_time() - cpu
    owlrl_set = {f"{s.n3()} {p.n3()} {o.n3()}" for s, p, o in inferred}
    remedy = remedy_inferred(data)
    common = len(owlrl_set & remedy)
    return {
        "parse_s": parse_s,
        "seconds": reason_s,
        "cpu_s": cpu_s,
        "inferred": len(inferred),
        "remedy_inferred": len(remedy),
        "remedy_recall": common / len(owlrl_set) if owlrl_set else 1.0,
        "remedy_precision": common / len(remedy) if remedy else 1.0,
    }


def stage_shacl(data: Path) -> dict[str, Any]:
    """Full validation of ontology + data + closure (the remedy's; owlrl's is too slow to wait for)."""
    import pyoxigraph as ox
    from rdflib import Graph

    from ntrkkg.build.pipeline import load_inputs
    from ntrkkg.build.validation import validate
    from ntrkkg.namespaces import AUTHORED_BASE

    store, _ = load_store(data)
    close_store(store)
    start = time.perf_counter()
    graph = Graph().parse(data=ox.serialize(store, format=ox.RdfFormat.N_TRIPLES), format="nt")
    parse_s = time.perf_counter() - start
    shapes = load_inputs(AUTHORED_BASE)[1]
    start, cpu = time.perf_counter(), time.process_time()
    report = validate(graph, shapes)
    return {
        "parse_s": parse_s,
        "seconds": time.perf_counter() - start,
        "cpu_s": time.process_time() - cpu,
        "triples": len(graph),
        "conforms": report.conforms,
        "violations": len(report.violations),
    }


PROGRESS_FILE: Path | None = None


def run_stage(args: argparse.Namespace) -> None:
    global PROGRESS_FILE
    PROGRESS_FILE = args.progress
    if args.stage == "oxigraph":
        result = stage_oxigraph(
            args.file, args.reps, args.query_budget, frozenset(q for q in args.skip_queries.split(",") if q)
        )
    elif args.stage == "owlrl":
        result = stage_owlrl(args.file)
    else:
        result = stage_shacl(args.file)
    result["peak_rss_mib"] = peak_rss_mib()
    print(json.dumps(result))


# --- Orchestration ----------------------------------------------------------------------------


@dataclass
class SizeResult:
    requested: int
    triples: int = 0
    generate_s: float = 0.0
    stages: dict[str, dict[str, Any]] = field(default_factory=dict)


def generate(size: int, seed: int, workdir: Path) -> tuple[Path, int, float]:
    """The synthetic file for ``size`` (made once per seed and size), its triple count, and the
    seconds it took to write (-1 if it was already there)."""
    path = workdir / f"synth-{seed}-{size_name(size)}.nt"
    start = time.perf_counter()
    cached = path.exists()
    if not cached:
        partial = path.with_suffix(".part.nt")
        subprocess.run(
            [
                sys.executable,
                str(BENCH / "synth.py"),
                "--seed",
                str(seed),
                "--triples",
                str(size),
                "--out",
                str(partial),
            ],
            check=True,
        )
        partial.rename(path)
    seconds = -1.0 if cached else time.perf_counter() - start
    with path.open("rb") as f:
        count = sum(1 for _ in f)
    return path, count, seconds


def slow_queries(size: int, done: list[SizeResult], limit: float) -> dict[str, dict[str, Any]]:
    """Queries whose measured growth predicts a p50 above ``limit`` seconds at ``size``."""
    skipped: dict[str, dict[str, Any]] = {}
    names = {n for r in done for n in r.stages.get("oxigraph", {}).get("queries", {})}
    for name in sorted(names):
        points = [
            (r.triples, q["p50"])
            for r in done
            if "p50" in (q := r.stages.get("oxigraph", {}).get("queries", {}).get(name, {}))
        ]
        exponent = growth_exponent(points)
        if not points or exponent is None:
            continue
        predicted = points[-1][1] * (size / points[-1][0]) ** exponent
        if predicted > limit:
            skipped[name] = {"skipped": True, "extrapolated_s": predicted, "exponent": exponent}
    return skipped


def run_child(stage: str, data: Path, args: argparse.Namespace, skip_queries: str = "") -> dict[str, Any]:
    """One stage in a fresh interpreter; {'timed_out': budget} if it ran out of time."""
    progress = args.workdir / f"progress-{stage}.json"
    progress.unlink(missing_ok=True)
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--stage",
        stage,
        "--file",
        str(data),
        "--reps",
        str(args.reps),
        "--query-budget",
        str(args.query_budget),
        "--progress",
        str(progress),
        "--skip-queries",
        skip_queries,
    ]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=args.budget, check=True)
    except subprocess.TimeoutExpired:
        partial = json.loads(progress.read_text()) if progress.exists() else {}
        return {**partial, "timed_out": args.budget}
    except subprocess.CalledProcessError as error:
        return {"error": error.stderr.strip().splitlines()[-1] if error.stderr else str(error)}
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def skip_reason(
    stage: str, size: int, done: list[SizeResult], skip_above: float, budget: float
) -> dict[str, Any] | None:
    """Skip a slow stage once a smaller size took too long, or when its measured growth predicts
    more than the budget; the time is then extrapolated from that growth."""
    measured = [
        (r.triples, r.stages[stage]["seconds"]) for r in done if stage in r.stages and "seconds" in r.stages[stage]
    ]
    previous = done[-1].stages.get(stage, {}) if done else {}
    exponent = growth_exponent(measured)
    k = exponent if exponent is not None else 1.0
    predicted = measured[-1][1] * (size / measured[-1][0]) ** k if measured else 0.0
    too_slow = (
        previous.get("seconds", 0) > skip_above
        or "timed_out" in previous
        or "skipped" in previous
        or predicted > budget
    )
    if not too_slow:
        return None
    if not measured:
        return {"skipped": True, "reason": "no measured point to extrapolate from"}
    return {"skipped": True, "extrapolated_s": predicted, "exponent": k, "from_points": len(measured)}


def run_size(size: int, args: argparse.Namespace, done: list[SizeResult]) -> SizeResult:
    data, count, generate_s = generate(size, args.seed, args.workdir)
    result = SizeResult(size, count, generate_s)
    for stage in args.stages:
        if stage in SLOW_STAGES:
            skipped = skip_reason(stage, count, done, args.skip_above, args.budget)
            if skipped:
                result.stages[stage] = skipped
                continue
        print(f"  {size_name(size)}: {stage} ...", file=sys.stderr, flush=True)
        skipped_queries = slow_queries(count, done, args.query_skip) if stage == "oxigraph" else {}
        result.stages[stage] = run_child(stage, data, args, ",".join(skipped_queries))
        if skipped_queries:
            result.stages[stage].setdefault("queries", {}).update(skipped_queries)
    return result


# --- Report -----------------------------------------------------------------------------------


def seconds_text(stage: dict[str, Any], key: str = "seconds") -> str:
    if key in stage:
        return f"{stage[key]:.2f} s"
    if "timed_out" in stage:
        return f"> {stage['timed_out']:.0f} s (timed out)"
    if "error" in stage:
        return f"error: {stage['error']}"
    if stage.get("skipped"):
        if "extrapolated_s" in stage:
            return f"skipped: extrapolated {stage['extrapolated_s']:,.0f} s from measured growth"
        return "skipped"
    return "–"


def measured(queries: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """The query timings that were measured, not skipped."""
    return [q for q in queries.values() if "p50" in q]


def exponents(results: list[SizeResult]) -> dict[str, float | None]:
    def points(stage: str, key: str) -> list[tuple[int, float]]:
        return [
            (r.triples, r.stages[stage][key])
            for r in results
            if key in r.stages.get(stage, {}) and not r.stages[stage].get("skipped")
        ]

    out = {
        "bulk_load": growth_exponent(points("oxigraph", "load_s")),
        "remedy closure (SPARQL)": growth_exponent(points("oxigraph", "closure_s")),
        "owlrl closure": growth_exponent(points("owlrl", "seconds")),
        "owlrl closure, CPU seconds": growth_exponent(points("owlrl", "cpu_s")),
        "pyshacl full validation": growth_exponent(points("shacl", "seconds")),
        "pyshacl full validation, CPU seconds": growth_exponent(points("shacl", "cpu_s")),
        "scoped validation (one row)": growth_exponent(
            [
                (r.triples, r.stages["oxigraph"]["scoped"]["total_s"])
                for r in results
                if "scoped" in r.stages.get("oxigraph", {})
            ]
        ),
    }
    query_points = [
        (r.triples, statistics.median(q["p50"] for q in measured(r.stages["oxigraph"]["queries"])))
        for r in results
        if "queries" in r.stages.get("oxigraph", {})
    ]
    out["query p50 (median over queries)"] = growth_exponent(query_points)
    return out


def size_row(r: SizeResult) -> str:
    """One row of the cost table."""
    ox_stage = r.stages.get("oxigraph", {})
    queries = ox_stage.get("queries", {})
    p50s = [q["p50"] for q in measured(queries)]
    p99s = [q["p99"] for q in measured(queries)]
    scoped = ox_stage.get("scoped", {})
    generated = f"{r.generate_s:.1f} s" if r.generate_s >= 0 else "cached"
    cells = [
        size_name(r.requested),
        f"{r.triples:,}",
        generated,
        seconds_text(ox_stage, "load_s"),
        f"{seconds_text(ox_stage, 'closure_s')} (+{ox_stage.get('closure_added', 0):,})",
        f"{statistics.median(p50s) * 1000:.1f} / {max(p50s) * 1000:.1f} ms" if p50s else "–",
        f"{max(p99s) * 1000:.1f} ms" if p99s else "–",
        (
            f"{scoped['total_s']:.2f} s ({scoped['triples']:,.0f} triples, "
            f"{'conforms' if scoped['conforms'] else 'VIOLATES'})"
        )
        if scoped
        else "–",
        seconds_text(r.stages.get("owlrl", {})),
        seconds_text(r.stages.get("shacl", {})),
        " / ".join(
            f"{r.stages[s]['peak_rss_mib']:,.0f} MiB" if "peak_rss_mib" in r.stages.get(s, {}) else "–" for s in STAGES
        ),
    ]
    return "| " + " | ".join(cells) + " |"


def targets(results: list[SizeResult]) -> list[str]:
    """The targets, checked at the largest size that ran the oxigraph stage."""
    ran = [r for r in results if "queries" in r.stages.get("oxigraph", {})]
    if not ran:
        return []
    r = ran[-1]
    stage = r.stages["oxigraph"]
    p50 = max(q["p50"] for q in measured(stage["queries"]))
    skipped = [
        f"{name} (extrapolated {q['extrapolated_s']:,.0f} s)"
        for name, q in stage["queries"].items()
        if "extrapolated_s" in q
    ]
    rss = max(r.stages[s].get("peak_rss_mib", 0) for s in STAGES if s in r.stages)

    def verdict(ok: bool) -> str:
        return "met" if ok else "NOT met"

    return [
        f"* bulk_load at {size_name(r.requested)}: {stage['load_s']:.2f} s (target ≤ 10 s at 1M: "
        f"{verdict(stage['load_s'] <= 10)}).",
        f"* slowest example query p50 at {size_name(r.requested)}: {p50 * 1000:.1f} ms (target ≤ 100 ms: "
        f"{verdict(p50 <= 0.1 and not skipped)})"
        + (f"; skipped as too slow: {', '.join(skipped)}." if skipped else "."),
        f"* peak RSS at {size_name(r.requested)}: {rss:,.0f} MiB (target ≤ 2 GB: {verdict(rss <= 2048)}).",
    ]


def markdown(results: list[SizeResult], args: argparse.Namespace) -> str:
    lines = [
        "# Scale benchmark",
        "",
        f"Synthetic graphs from `benchmarks/synth.py --seed {args.seed}` (the real data/ graph plus synthetic "
        "tumour types), with ontology/ntrkkg.ttl beside them. Produced by `python benchmarks/scale.py "
        f"--sizes {','.join(size_name(r.requested) for r in results)}`; each stage group ran in a fresh "
        f"process (peak RSS is that process's). Budget {args.budget:.0f} s per stage; owlrl/pyshacl are skipped "
        f"at a size once a smaller size took > {args.skip_above:.0f} s or their growth predicts more than the "
        f"budget; a query is skipped where its growth predicts a p50 > {args.query_skip:.0f} s. Skipped "
        "times are extrapolated along the log-log slope of the measured sizes.",
        "",
        "## Cost per size",
        "",
        "| size | triples | generate | bulk_load | remedy closure (SPARQL) | query p50 median / max "
        "| query p99 max | scoped validation (1 row) | owlrl closure | pyshacl full validation "
        "| peak RSS oxigraph / owlrl / shacl |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    lines += [size_row(r) for r in results]
    lines += [
        "",
        "## Growth exponents",
        "",
        "Log-log least-squares slope of seconds against triples over the measured sizes (1 = linear).",
        "",
        "| stage | exponent |",
        "|---|---|",
    ]
    for name, k in exponents(results).items():
        lines.append(f"| {name} | {k:.2f} |" if k is not None else f"| {name} | – (one point) |")
    lines += ["", "## Details", ""]
    for r in results:
        owl = r.stages.get("owlrl", {})
        shacl = r.stages.get("shacl", {})
        ox_stage = r.stages.get("oxigraph", {})
        if "seconds" in owl:
            lines.append(
                f"* {size_name(r.requested)}: owlrl inferred {owl['inferred']:,} triples (rdflib parse "
                f"{owl['parse_s']:.1f} s, CPU {owl.get('cpu_s', 0):.1f} s); the SPARQL remedy inferred "
                f"{owl['remedy_inferred']:,}, reproducing "
                f"{owl['remedy_recall']:.1%} of owlrl's triples (precision {owl['remedy_precision']:.1%})."
            )
        if "seconds" in shacl:
            verdict = "conforms" if shacl["conforms"] else f"{shacl['violations']} violations"
            lines.append(
                f"* {size_name(r.requested)}: pyshacl validated {shacl['triples']:,} triples: {verdict} "
                f"(rdflib parse {shacl['parse_s']:.1f} s, CPU {shacl.get('cpu_s', 0):.1f} s)."
            )
        if "closure_rounds" in ox_stage:
            lines.append(
                f"* {size_name(r.requested)}: remedy closure reached its fixpoint in "
                f"{ox_stage['closure_rounds']} rounds; store held {ox_stage['store_triples']:,} triples "
                "before it."
            )
    lines += ["", "## Targets", ""] + targets(results)
    lines += [
        "",
        "## Remedies",
        "",
        "* Reasoning: instead of owlrl's full OWL-RL closure, the ontology's own axioms (subClassOf and "
        "subPropertyOf closure, domain, range, inverseOf, and the hasValue equivalences that define "
        "ntrkkg:NTRKFusion and the facet statement classes) run as SPARQL updates on pyoxigraph until "
        'nothing new is inferred (`CLOSURE_RULES`). Column "remedy closure"; its recall against owlrl is '
        "under Details. The example queries are timed on the store after this closure.",
        "* Validation: instead of pyshacl over the whole graph, validate what changed: the neighbourhood of "
        "one row (its class, cells, statements, findings, subgroups; their objects' triples; those objects' "
        "objects' types), extracted with one CONSTRUCT (`NEIGHBOURHOOD`) and validated with the project's "
        "shapes, with the row's own nodes as pyshacl's focus nodes. Column \"scoped validation\" (median "
        "over 5 rows, extraction included). Every shape of shapes/ looks only at that neighbourhood, so a "
        "row that passes here passes in the full graph; nodes the row points to (references, fusions) are "
        "checked when they change.",
        "* Times are wall-clock on a shared 2-core machine; owlrl/pyshacl CPU seconds are under Details.",
    ]
    lines += [
        "",
        "## Example queries (p50 / p99, ms; rows)",
        "",
        "| query | " + " | ".join(size_name(r.requested) for r in results) + " |",
        "|---|" + "---|" * len(results),
    ]
    names = sorted({n for r in results for n in r.stages.get("oxigraph", {}).get("queries", {})})
    for name in names:
        cells = []
        for r in results:
            q = r.stages.get("oxigraph", {}).get("queries", {}).get(name)
            timed_out = "timed_out" in r.stages.get("oxigraph", {})
            if q and "p50" in q:
                cells.append(f"{q['p50'] * 1000:.1f} / {q['p99'] * 1000:.1f} ({q['rows']:,})")
            elif q:
                cells.append(seconds_text(q))
            else:
                cells.append("not reached (stage timed out)" if timed_out else "–")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def plot(results: list[SizeResult], path: Path) -> None:
    try:
        import matplotlib
    except ImportError:
        print(f"matplotlib is not installed: no plot written to {path}")
        return

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 5.5))

    def series(label: str, values: list[tuple[int, float]], style: str = "o-") -> None:
        if values:
            ax.plot([n for n, _ in values], [t for _, t in values], style, label=label)

    def stage_points(stage: str, key: str) -> list[tuple[int, float]]:
        return [(r.triples, r.stages[stage][key]) for r in results if key in r.stages.get(stage, {})]

    series("pyoxigraph bulk_load", stage_points("oxigraph", "load_s"))
    series("remedy: SPARQL closure", stage_points("oxigraph", "closure_s"))
    series(
        "query p50 (median over queries)",
        [
            (r.triples, statistics.median(q["p50"] for q in measured(r.stages["oxigraph"]["queries"])))
            for r in results
            if "queries" in r.stages.get("oxigraph", {})
        ],
    )
    series(
        "query p50 (slowest query)",
        [
            (r.triples, max(q["p50"] for q in measured(r.stages["oxigraph"]["queries"])))
            for r in results
            if "queries" in r.stages.get("oxigraph", {})
        ],
    )
    series(
        "query p99 (max over queries)",
        [
            (r.triples, max(q["p99"] for q in measured(r.stages["oxigraph"]["queries"])))
            for r in results
            if "queries" in r.stages.get("oxigraph", {})
        ],
    )
    series(
        "remedy: scoped validation (1 row)",
        [
            (r.triples, r.stages["oxigraph"]["scoped"]["total_s"])
            for r in results
            if "scoped" in r.stages.get("oxigraph", {})
        ],
    )
    for stage, label in (("owlrl", "owlrl closure"), ("shacl", "pyshacl full validation")):
        timed = stage_points(stage, "seconds")
        series(label, timed)
        guessed = [
            (r.triples, r.stages[stage]["extrapolated_s"])
            for r in results
            if "extrapolated_s" in r.stages.get(stage, {})
        ]
        if timed and guessed:
            series(f"{label} (extrapolated)", [timed[-1]] + guessed, "x--")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("triples (synthetic data)")
    ax.set_ylabel("seconds")
    ax.set_title("ntrkkg: cost against graph size")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10k,100k,1M", help="comma-separated sizes (10k,100k,1M)")
    parser.add_argument("--max", type=parse_size, default=None, help="leave out sizes above this")
    parser.add_argument("--stages", default=",".join(STAGES), help="comma-separated: oxigraph,owlrl,shacl")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--reps", type=int, default=20, help="timed runs per query (at most)")
    parser.add_argument("--query-budget", type=float, default=5.0, help="seconds of timed runs per query")
    parser.add_argument("--budget", type=float, default=900.0, help="timeout of one stage process, seconds")
    parser.add_argument(
        "--skip-above",
        type=float,
        default=120.0,
        help="skip owlrl/pyshacl at larger sizes once a size took longer than this",
    )
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/ntrkkg-scale"))
    parser.add_argument("--out-md", type=Path, default=BENCH / "scale-results.md")
    parser.add_argument("--out-png", type=Path, default=BENCH / "scale.png")
    parser.add_argument(
        "--render-only", action="store_true", help="rewrite the markdown and plot from <workdir>/results.json"
    )
    parser.add_argument("--stage", choices=STAGES, help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--progress", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--skip-queries", default="", help=argparse.SUPPRESS)
    parser.add_argument(
        "--query-skip",
        type=float,
        default=60.0,
        help="skip a query at a size where its measured growth predicts a p50 above this (s)",
    )
    args = parser.parse_args(argv)
    if args.stage:
        run_stage(args)
        return
    args.stages = [s for s in args.stages.split(",") if s]
    sizes = sorted(parse_size(s) for s in args.sizes.split(","))
    sizes = [n for n in sizes if args.max is None or n <= args.max]
    args.workdir.mkdir(parents=True, exist_ok=True)
    if args.render_only:
        results = [SizeResult(**r) for r in json.loads((args.workdir / "results.json").read_text())]
        args.out_md.write_text(markdown(results, args))
        plot(results, args.out_png)
        return
    saved = args.workdir / "results.json"
    earlier = {r["requested"]: SizeResult(**r) for r in json.loads(saved.read_text())} if saved.exists() else {}
    for size in sizes:
        done = [earlier[n] for n in sorted(earlier) if n < size]
        result = run_size(size, args, done)
        if size in earlier:  # keep the stages not run this time
            result.stages = {**earlier[size].stages, **result.stages}
        earlier[size] = result
        results = [earlier[n] for n in sorted(earlier)]
        saved.write_text(json.dumps([r.__dict__ for r in results], indent=1))
        args.out_md.write_text(markdown(results, args))
    plot(results, args.out_png)
    print(args.out_md.read_text())


if __name__ == "__main__":
    main()
