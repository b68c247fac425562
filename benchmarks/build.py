"""Time and memory of each build stage, as medians over repeated runs.

    python benchmarks/build.py [--runs 5]

Stages: load (parse Turtle), reason (owlrl), validate (pyshacl), dump (write dist/).
For comparison it also times owlrl on rdflib's default store, the alternative to the
context-free store the build uses, and prints the ratio. Target: a full build in ≤ 5 s.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import owlrl
from rdflib import Graph

from ntrkkg.build.pipeline import build_dataset, load_inputs, write_build
from ntrkkg.build.reasoning import infer
from ntrkkg.outputs.dumps import write_dumps

TARGET_SECONDS = 5.0


def timed(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def peak_mib(fn: Callable[[], Any]) -> float:
    """Peak traced Python allocation of one call (tracing slows it, so it is not timed)."""
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return peak


def owlrl_on_default_store(asserted: Graph) -> None:
    closure = Graph()
    for triple in asserted:
        closure.add(triple)
    owlrl.DeductiveClosure(
        owlrl.OWLRL_Semantics, rdfs_closure=False, axiomatic_triples=False, datatype_axioms=False
    ).expand(closure)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs

    seconds: dict[str, list[float]] = {}
    totals: list[float] = []
    alternative: list[float] = []
    asserted, _ = load_inputs()
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "dist"
        for _ in range(runs):
            start = time.perf_counter()
            result = build_dataset()
            dump = timed(lambda r=result: write_build(out, r, write_dumps))
            totals.append(time.perf_counter() - start)
            for name, value in result.timings.items():
                seconds.setdefault(name, []).append(value)
            seconds.setdefault("dump", []).append(dump)
            alternative.append(timed(lambda: owlrl_on_default_store(asserted)))
        peaks = {
            "load": peak_mib(load_inputs),
            "reason": peak_mib(lambda: infer(asserted)),
            "validate": peak_mib(build_dataset),  # the whole build: a ceiling
            "dump": peak_mib(lambda: write_build(out, result, write_dumps)),
        }

    print(f"ntrkkg build, {runs} runs (medians)\n")
    print("| stage | seconds | peak traced MiB |\n| --- | ---: | ---: |")
    for name, samples in seconds.items():
        print(f"| {name} | {statistics.median(samples):.3f} | {peaks[name]:.1f} |")
    total = statistics.median(totals)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"| **total** | **{total:.3f}** | process max RSS {rss:.0f} MiB |\n")
    print(f"full build: {total:.2f} s, target {TARGET_SECONDS:.0f} s ({total / TARGET_SECONDS:.2f}× of the budget)")
    ours = statistics.median(seconds["reason"])
    theirs = statistics.median(alternative)
    print(
        f"owlrl on rdflib's default store: {theirs:.2f} s; on the build's store: {ours:.2f} s "
        f"(ratio {theirs / ours:.2f}×)"
    )


if __name__ == "__main__":
    main()
