"""Memory under large results: does the service's process tree stay within its budget?

Starts ``ntrkkg serve`` on 127.0.0.1 (its own process group, stopped at the end), sends ``--results``
different queries whose JSON answers are about ``--mib`` MiB each (they differ, so each would be a new
cache entry), and reports the memory of the whole process tree (serving processes and engines) as the sum of
their proportional set sizes (PSS: a page shared after fork counts once in all, where VmRSS would
count it in every process)
before and after, the cache's bytes from ``/stats``, and the growth against the cache budget
(``NTRKKG_CACHE_BYTES``, 64 MiB by default). Engines that return a result over
``NTRKKG_RECYCLE_AFTER_BYTES`` are replaced, so their memory is returned.

    .venv/bin/python benchmarks/memory.py                # 12 results of ~41 MiB
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from serve import BIN, ROOT, free_port, group_pids, launch, ntrkkg_dump, stop_all, wait_ready  # noqa: E402

# Every triple, times the rows of a VALUES block: about 250 bytes of JSON per row.
QUERY = "SELECT ?s ?p ?o ?k WHERE {{ ?s ?p ?o VALUES ?k {{ {values} }} }}"


def _get(url: str) -> tuple[int, int]:
    with urllib.request.urlopen(url, timeout=120) as response:
        return response.status, len(response.read())


def group_pss(pgid: int) -> tuple[int, int]:
    """(total proportional set size in KiB, processes): pages shared after fork counted once in all."""
    total, pids = 0, group_pids(pgid)
    for pid in pids:
        with contextlib.suppress(OSError, ValueError):
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
    return total, len(pids)


def stats_of(base: str) -> dict[str, int]:
    with urllib.request.urlopen(base + "/stats", timeout=30) as response:
        return dict(json.loads(response.read()))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dist", type=Path, default=ROOT / "dist")
    parser.add_argument("--results", type=int, default=12)
    parser.add_argument("--mib", type=float, default=41.0)
    args = parser.parse_args(argv)
    ntrkkg_dump(args.dist)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("NTRKKG_")}
    env.update(NTRKKG_ROW_CAP="10000000")
    log = Path(f"/tmp/ntrkkg-memory-{port}.log")
    server = launch(
        "ntrkkg",
        [str(BIN / "ntrkkg"), "serve", "--port", str(port), "--dist", str(args.dist)],
        f"http://127.0.0.1:{port}/sparql",
        log,
        env,
    )
    try:
        wait_ready(server, 120)
        base = f"http://127.0.0.1:{port}"
        triples = stats_of(base)["triples"]
        per_value = max(1, round(args.mib * 2**20 / 250 / triples))

        def query(i: int) -> str:
            values = " ".join(str(i * 1000 + k) for k in range(per_value))
            return base + "/sparql?" + urllib.parse.urlencode({"query": QUERY.format(values=values)})

        # Warm up until every serving process has forked its engines and seen a big result.
        for i in range(100, 140):
            status, size = _get(query(i))
            _, processes = group_pss(server.pgid)
            if processes >= 1 + stats_of(base)["workers"] * (
                1 + stats_of(base)["engines"] // stats_of(base)["workers"]
            ):
                break
        print(f"result size {size / 2**20:.1f} MiB (status {status}); {per_value} VALUES rows per query", flush=True)
        time.sleep(1)
        before, processes_before = group_pss(server.pgid)
        sizes = []
        for i in range(1, args.results + 1):
            status, size = _get(query(i))
            sizes.append(size)
            assert status == 200, status
        time.sleep(1)
        after, processes_after = group_pss(server.pgid)
        stats = stats_of(base)
    finally:
        stop_all([server])
    growth = (after - before) / 1024
    print("| results | MiB each | PSS before (MiB) | PSS after (MiB) | growth (MiB) | cache (MiB) | recycled |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    print(
        f"| {args.results} | {sum(sizes) / len(sizes) / 2**20:.1f} | {before / 1024:.0f} ({processes_before} proc) | "
        f"{after / 1024:.0f} ({processes_after} proc) | {growth:.0f} | {stats['cache_bytes'] / 2**20:.0f} | "
        f"{stats['engines_recycled']} |"
    )
    print(
        f"budget: the cache's 64 MiB; growth {'within' if growth < 64 else 'OVER'} it (a result over a tenth of "
        "the budget is not cached; engines that returned one were replaced)",
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
