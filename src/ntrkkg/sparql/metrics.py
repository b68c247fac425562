"""What the query layer records for ``/stats`` and ``/metrics``: outcomes, latencies, refusals, the cache.

Everything is a cell of the service-wide :class:`~ntrkkg.sparql.counters.Counters`, so one count has one
definition whichever page reads it. Every label takes its values from a fixed list below, so no query
can add a label value; the latency histogram keeps one cell per bucket (not cumulative) and its count is
the sum of its buckets, so a reader can never see a count that disagrees with the buckets.
"""

from __future__ import annotations

import bisect

from ntrkkg.sparql.canonical import REASONS, QueryRejected
from ntrkkg.sparql.counters import FIELDS, Counters

__all__ = [
    "BUCKETS",
    "OUTCOMES",
    "QUERY_FIELDS",
    "REFUSALS",
    "Latency",
    "latency",
    "observe",
    "refusal_of",
    "refuse",
]

#: Outcomes of a query that reached the engine pool or the cache (``ntrkkg.sparql.engine.Outcome.status``).
OUTCOMES = (
    "ok",
    "syntax",
    "bad-graph",
    "too-large",
    "error",
    "timeout",
    "busy",
    "limited",
    "crashed",
    "unavailable",
    "bad-gateway",
    "other",
)
#: Upper bounds (seconds) of the latency buckets; one more bucket takes everything slower.
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
#: Why a query was refused before or instead of being answered.
REFUSALS = (
    *(f"vetting_{reason}" for reason in REASONS),  # QueryRejected.reason
    "client_share",  # 429: the client holds its share of the engines
    "queue_full",  # 503: every engine busy and the queue full
    "result_cap",  # the result is over the row, byte or memory cap
)


def _bucket_fields(outcome: str) -> tuple[str, ...]:
    return tuple(f"latency_bucket:{outcome}:{i}" for i in range(len(BUCKETS) + 1))


#: Every cell of the query layer: the engine pool's fields, then the labelled families.
QUERY_FIELDS = (
    *FIELDS,
    "cache_misses",
    *(f"refused:{reason}" for reason in REFUSALS if reason not in ("client_share", "queue_full")),
    *(field for outcome in OUTCOMES for field in _bucket_fields(outcome)),
    *(f"latency_sum_us:{outcome}" for outcome in OUTCOMES),
)


def refusal_of(rejected: QueryRejected) -> str:
    """The refusal reason of a query that vetting refused."""
    return f"vetting_{rejected.reason}"


def refuse(counters: Counters, reason: str) -> None:
    """Count one refusal of the query layer (429 and 503 are counted by the engine pool itself)."""
    counters.add(f"refused:{reason}")


def observe(counters: Counters, outcome: str, seconds: float) -> None:
    """Count one answered query: its outcome and how long it took from arrival."""
    outcome = outcome if outcome in OUTCOMES else "other"
    bucket = bisect.bisect_left(BUCKETS, seconds)  # a bound is inclusive, as Prometheus's "le" says
    counters.add_many(
        (f"latency_bucket:{outcome}:{bucket}", f"latency_sum_us:{outcome}"),
        (1, max(0, round(seconds * 1e6))),
    )


class Latency:
    """One outcome's latency histogram, summed over the service."""

    def __init__(self, buckets: list[int], sum_seconds: float) -> None:
        #: Queries per bucket (not cumulative), the last one above every bound.
        self.buckets = buckets
        self.sum_seconds = sum_seconds

    @property
    def count(self) -> int:
        """Queries observed."""
        return sum(self.buckets)

    def cumulative(self) -> list[tuple[str, int]]:
        """``(le, count)`` pairs as Prometheus states a histogram, ending with ``+Inf``."""
        pairs, running = [], 0
        for bound, count in zip([*(f"{b:g}" for b in BUCKETS), "+Inf"], self.buckets, strict=True):
            running += count
            pairs.append((bound, running))
        return pairs


def latency(totals: dict[str, int]) -> dict[str, Latency]:
    """The latency histogram of each outcome, from :meth:`Counters.totals`."""
    return {
        outcome: Latency([totals[f] for f in _bucket_fields(outcome)], totals[f"latency_sum_us:{outcome}"] / 1e6)
        for outcome in OUTCOMES
    }
