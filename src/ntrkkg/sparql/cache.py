"""The result cache: bounded in bytes, and one for the whole service.

Results live in ``diskcache`` (SQLite and files) in a private folder made for this instance and
removed when it stops, so every serving process reads what any of them stored, the budget is in
bytes of results (least recently used go first), and cached bodies cost page cache, not the
processes' resident memory. Only deterministic, successful results are stored.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tempfile
import weakref
from typing import Any

import diskcache

from ntrkkg.sparql.engine import Outcome

__all__ = ["ResultCache"]


class ResultCache:
    """A byte-bounded cache of outcomes shared by the processes forked after it was made."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self._folder = tempfile.mkdtemp(prefix="ntrkkg-cache-") if budget > 0 else ""
        self._owner = os.getpid()
        self._pid = -1
        self._cache: Any = None
        if self._folder:  # removed at exit even if nobody closes the cache (a notebook's session)
            weakref.finalize(self, _remove, self._folder, self._owner)

    def _open(self) -> Any:
        # SQLite connections must not cross a fork: each process opens its own.
        if self._pid != os.getpid():
            self._cache = diskcache.Cache(
                self._folder, size_limit=self.budget, eviction_policy="least-recently-stored", statistics=False
            )
            self._pid = os.getpid()
        return self._cache

    @staticmethod
    def _key(key: tuple[object, ...]) -> str:
        return hashlib.sha256(repr(key).encode("utf-8")).hexdigest()

    def get(self, key: tuple[object, ...]) -> Outcome | None:
        """The stored outcome for ``key``, if any."""
        if not self.budget:
            return None
        found = self._open().get(self._key(key))
        return Outcome("ok", found[1], kind=found[0]) if found is not None else None

    def put(self, key: tuple[object, ...], outcome: Outcome) -> None:
        """Store a successful outcome unless it alone would take a tenth of the budget."""
        if self.budget and len(outcome.body) <= self.budget // 10:
            self._open().set(self._key(key), (outcome.kind, outcome.body))

    def volume(self) -> int:
        """Bytes the cache holds now."""
        return int(self._open().volume()) if self.budget else 0

    def close(self) -> None:
        """Close this process's connection; the instance that made the folder removes it."""
        if self._cache is not None and self._pid == os.getpid():
            with contextlib.suppress(Exception):
                self._cache.close()
        _remove(self._folder, self._owner)


def _remove(folder: str, owner: int) -> None:
    if folder and os.getpid() == owner:
        shutil.rmtree(folder, ignore_errors=True)
