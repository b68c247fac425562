"""Service-wide counters: each serving process writes its own slot of memory shared with its siblings.

The slots live in an anonymous shared mapping made before the serving processes fork, so ``/stats``
and ``/metrics`` in any of them sum the whole service, with no lock between processes (each writes only
its own slot; a lock inside the process keeps its threads from losing updates). Which slot a process
writes is a property of the process (:func:`serve_as`), so every table made before the fork follows it.
"""

from __future__ import annotations

import ctypes
import mmap
import operator
import threading
from collections.abc import Iterable, Sequence

__all__ = ["FIELDS", "Counters", "serve_as"]

#: What the engine pool counts (``/stats`` reads these by name).
FIELDS = (
    "jobs",
    "timeouts",
    "crashes",
    "recycled",
    "refused_busy",
    "refused_client",
    "cache_hits",
    "engine_timeouts",
    "start_failures",
)

_slot = 0


def serve_as(index: int) -> None:
    """Make this process write slot ``index`` of every table (called once in each serving process)."""
    global _slot
    _slot = index


class Counters:
    """``add`` and ``put`` touch this process's slot; attribute access (``counters.jobs``) sums every slot."""

    def __init__(self, slots: int = 1, fields: Iterable[str] = FIELDS) -> None:
        self.fields: tuple[str, ...] = tuple(fields)
        self.slots = slots
        self._index = {field: i for i, field in enumerate(self.fields)}
        if len(self._index) != len(self.fields):
            raise ValueError("a counter is named twice")
        self._width = len(self.fields)
        self._memory = mmap.mmap(-1, 8 * self._width * slots)  # MAP_SHARED: forked children see the same pages
        self._cells = (ctypes.c_int64 * (self._width * slots)).from_buffer(self._memory)
        self._lock = threading.Lock()

    @property
    def slot(self) -> int:
        """The slot this process writes (a table smaller than the service is private to one process)."""
        return _slot if _slot < self.slots else 0

    def add(self, field: str, amount: int = 1) -> None:
        """Count ``amount`` more of ``field`` for this process."""
        at = self.slot * self._width + self._index[field]
        with self._lock:
            self._cells[at] += amount

    def add_many(self, fields: Sequence[str], amounts: Sequence[int]) -> None:
        """Count several fields at once, so a reader in this process never sees half of them."""
        base = self.slot * self._width
        with self._lock:
            for field, amount in zip(fields, amounts, strict=True):
                self._cells[base + self._index[field]] += amount

    def total(self, field: str) -> int:
        """``field`` summed over every serving process."""
        index = self._index[field]
        return sum(self._cells[slot * self._width + index] for slot in range(self.slots))

    def totals(self) -> dict[str, int]:
        """Every field summed over every serving process, read in one pass."""
        cells = memoryview(self._memory).cast("q")
        sums = list(cells[: self._width])
        for slot in range(1, self.slots):
            sums = list(map(operator.add, sums, cells[slot * self._width : (slot + 1) * self._width]))
        cells.release()
        return dict(zip(self.fields, sums, strict=True))

    def __getattr__(self, field: str) -> int:
        if field.startswith("_") or field not in self.__dict__.get("_index", {}):
            raise AttributeError(field)
        return self.total(field)
