"""The full-text search index at scale: build time, file size and query latency, up to 1M triples.

    python benchmarks/search.py                       # the real graph, then 100k and 1M synthetic triples
    python benchmarks/search.py --sizes 10k 100k --repeats 51

For each size, a child process builds the index from the N-Triples file that ``synth.py`` writes
(made once per seed and size in ``--workdir``), exactly as ``ntrkkg build`` does from the asserted
graph: parse, collect documents, fill SQLite FTS5 and its trigram vocabulary, VACUUM. It then
times each query the way ``/search`` answers it (a read-only connection that its thread keeps
open, with nothing of the query cached: no misspelling corrections, no results), the first query
on a fresh connection, and the way the SPARQL function works (every match with its score). A size
whose child runs past ``--budget`` seconds is stopped and reported as such; larger sizes are skipped.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
QUERIES = (
    "necrosis hemorrhage",
    "larotrectnib",
    "S100",
    "ETV6-NTRK3",
    "fibrosarcomaa infantil",
    "CD34 positive",
    "synthetic",
)


def parse_size(text: str) -> int:
    """``10k``, ``1M`` or a number of triples; ``real`` is the curated graph (0)."""
    if text == "real":
        return 0
    scale = {"k": 1_000, "M": 1_000_000}.get(text[-1], 1)
    return int(float(text.rstrip("kM")) * scale)


def size_name(n: int) -> str:
    return "real" if n == 0 else f"{n // 1_000_000}M" if n >= 1_000_000 else f"{n // 1_000}k"


def synthetic(size: int, seed: int, workdir: Path) -> Path:
    """The synthetic N-Triples file of ``size`` triples (written once)."""
    path = workdir / f"synth-{seed}-{size_name(size)}.nt"
    if not path.exists():
        partial = path.with_suffix(".part.nt")
        command = [sys.executable, str(BENCH / "synth.py"), "--seed", str(seed), "--triples", str(size)]
        subprocess.run([*command, "--out", str(partial)], check=True)
        partial.rename(path)
    return path


def measure(source: str, repeats: int) -> dict[str, Any]:
    """Build the index of ``source`` (an N-Triples file, or ``real``) and time the queries (in the child)."""
    import pyoxigraph as ox

    from ntrkkg.namespaces import AUTHORED_BASE
    from ntrkkg.outputs.search_index import build_index, documents, triples_of
    from ntrkkg.sparql.search import SearchIndex

    with tempfile.TemporaryDirectory() as tmp:
        index = Path(tmp) / "search.sqlite"
        started = time.perf_counter()
        if source == "real":
            from ntrkkg.build.pipeline import build_dataset

            nt = build_dataset().asserted.serialize(format="nt", encoding="utf-8")
            started = time.perf_counter()  # the build's own stages are not the index's
            quads = ox.parse(nt, format=ox.RdfFormat.N_TRIPLES)
            triples = len(nt.splitlines())
        else:
            quads = ox.parse(path=source, format=ox.RdfFormat.N_TRIPLES)
            with open(source, "rb") as handle:
                triples = sum(1 for _ in handle)
        count = build_index(index, documents(triples_of(quads), AUTHORED_BASE), base=AUTHORED_BASE, version="bench")
        build_seconds = time.perf_counter() - started
        result: dict[str, Any] = {
            "triples": triples,
            "documents": count,
            "build_seconds": round(build_seconds, 2),
            "index_bytes": index.stat().st_size,
            "queries": {},
        }
        opened = SearchIndex.open(index)
        for query in QUERIES:
            page, function, cold = [], [], []
            for _ in range(repeats):
                # as /search answers: the thread's connection, a new SearchIndex so that nothing is cached
                begin = time.perf_counter()
                hits = SearchIndex(opened.db).search(query, 20).hits
                page.append(time.perf_counter() - begin)
                # as the SPARQL function: every match with its score
                begin = time.perf_counter()
                matches = len(SearchIndex(opened.db).scores(query))
                function.append(time.perf_counter() - begin)
            for _ in range(3):
                begin = time.perf_counter()
                fresh = SearchIndex.open(index)
                fresh.search(query, 20)
                fresh.close()
                cold.append(time.perf_counter() - begin)
            result["queries"][query] = {
                "hits": len(hits),
                "matches": matches,
                "page_ms": round(statistics.median(page) * 1000, 2),
                "page_p95_ms": round(sorted(page)[int(0.95 * (len(page) - 1))] * 1000, 2),
                "cold_ms": round(statistics.median(cold) * 1000, 2),
                "function_ms": round(statistics.median(function) * 1000, 2),
            }
        opened.close()
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", nargs="+", default=["real", "100k", "1M"])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=21)
    parser.add_argument("--budget", type=float, default=300, help="seconds a size may take (build and queries)")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "ntrkkg-search-bench")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(measure(args.child, args.repeats)))
        return
    args.workdir.mkdir(parents=True, exist_ok=True)
    results: list[tuple[str, dict[str, Any] | None]] = []
    for text in args.sizes:
        size = parse_size(text)
        source = "real" if size == 0 else str(synthetic(size, args.seed, args.workdir))
        command = [sys.executable, __file__, "--child", source, "--repeats", str(args.repeats)]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=args.budget, check=True)
        except subprocess.TimeoutExpired:
            print(f"{size_name(size)}: over the budget of {args.budget:g} s; larger sizes skipped", file=sys.stderr)
            results.append((size_name(size), None))
            break
        results.append((size_name(size), json.loads(done.stdout)))
        print(f"{size_name(size)}: done", file=sys.stderr, flush=True)
    print(report(results))


def report(results: list[tuple[str, dict[str, Any] | None]]) -> str:
    """The results as markdown tables."""
    lines = [
        "| size | triples | documents | build s | index MiB |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for name, r in results:
        if r is None:
            lines.append(f"| {name} | over the budget | | | |")
            continue
        lines.append(
            f"| {name} | {r['triples']:,} | {r['documents']:,} | {r['build_seconds']:.2f} "
            f"| {r['index_bytes'] / 2**20:.1f} |"
        )
    lines += [
        "",
        "| size | query | hits shown | matches | /search median ms | /search p95 ms | fresh connection ms "
        "| function median ms |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, r in results:
        for query, q in (r or {}).get("queries", {}).items():
            lines.append(
                f"| {name} | {query} | {q['hits']} | {q['matches']:,} | {q['page_ms']:.2f} "
                f"| {q['page_p95_ms']:.2f} | {q['cold_ms']:.2f} | {q['function_ms']:.2f} |"
            )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
