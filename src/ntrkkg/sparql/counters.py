"""Service-wide counters: each serving process writes its own slot of memory shared with its siblings.

The slots live in an anonymous shared mapping made before the serving processes fork, so ``/stats``
in any of them sums the whole service, with no lock between processes (each writes only its own slot).
"""

from __future__ import annotations

import ctypes
import mmap

__all__ = ["FIELDS", "Counters"]

FIELDS = ("jobs", "timeouts", "crashes", "recycled", "refused_busy", "refused_client", "cache_hits")
_WIDTH = len(FIELDS)


class Counters:
    """``add`` and ``put`` touch this process's slot; attribute access (``counters.jobs``) sums every slot."""

    def __init__(self, slots: int = 1) -> None:
        self.slots, self.slot = slots, 0
        self._memory = mmap.mmap(-1, 8 * _WIDTH * slots)  # MAP_SHARED: forked children see the same pages
        self._cells = (ctypes.c_int64 * (_WIDTH * slots)).from_buffer(self._memory)

    def add(self, field: str, amount: int = 1) -> None:
        """Count ``amount`` more of ``field`` for this process."""
        self._cells[self.slot * _WIDTH + FIELDS.index(field)] += amount

    def put(self, field: str, value: int) -> None:
        """Set this process's ``field`` (a level, such as the bytes its cache holds)."""
        self._cells[self.slot * _WIDTH + FIELDS.index(field)] = value

    def total(self, field: str) -> int:
        """``field`` summed over every serving process."""
        index = FIELDS.index(field)
        return sum(self._cells[slot * _WIDTH + index] for slot in range(self.slots))

    def __getattr__(self, field: str) -> int:
        if field in FIELDS:
            return self.total(field)
        raise AttributeError(field)
