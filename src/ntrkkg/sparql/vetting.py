"""TEMPORARY stand-in until the real vetting lands."""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass


class QueryRejected(Exception):
    pass


@dataclass(frozen=True)
class VettedQuery:
    text: str
    form: str
    services: tuple[str, ...] = ()
    has_dataset_clause: bool = False
    depth: int = 0
    size: int = 0
    deterministic: bool = True


def vet(query: str, *, max_length: int = 100_000, max_depth: int = 200, max_size: int = 10_000,
        allowed_services: frozenset[str] = frozenset(), prefixes: Mapping[str, str] | None = None) -> VettedQuery:
    if len(query) > max_length:
        raise QueryRejected("too long")
    prologue = "".join(f"PREFIX {p}: <{i}>\n" for p, i in (prefixes or {}).items()
                       if not re.search(rf"PREFIX\s+{p}:", query, re.I))
    m = re.search(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE|INSERT|DELETE|LOAD|CLEAR)\b", query, re.I)
    if not m or m.group(1).upper() not in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
        raise QueryRejected("updates are not accepted" if m else "no query form")
    if re.search(r"\bSERVICE\b", query, re.I):
        raise QueryRejected("SERVICE is disabled")
    return VettedQuery(prologue + query, m.group(1).upper(), (), bool(re.search(r"\bFROM\b", query, re.I)),
                       deterministic=not re.search(r"\b(NOW|RAND|UUID|STRUUID|BNODE)\s*\(", query, re.I))
