"""Operator settings of the service, read from the environment (``NTRKKG_*``)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any


def _env(name: str, default: str) -> str:
    return os.environ.get(f"NTRKKG_{name}", default)


@dataclass(frozen=True)
class Settings:
    dist: Path = Path("dist")
    #: The public IRI of the endpoint; graph names of VoID and the examples hang off it.
    endpoint: str = "https://w3id.org/ntrkkg/sparql"
    timeout: float = 10.0
    row_cap: int = 100_000
    max_result_bytes: int = 256 * 2**20
    max_request_bytes: int = 512 * 2**10
    max_query_length: int = 100_000
    max_depth: int = 200
    allowed_services: frozenset[str] = field(default_factory=frozenset)
    engines: int = 2
    cache_entries: int = 1024

    @classmethod
    def from_env(cls, **overrides: Any) -> Settings:
        services = frozenset(s for s in _env("ALLOWED_SERVICES", "").split(",") if s.strip())
        settings = cls(
            dist=Path(_env("DIST", "dist")),
            endpoint=_env("ENDPOINT", _env("BASE", "https://w3id.org/ntrkkg/").rstrip("/") + "/sparql"),
            timeout=float(_env("TIMEOUT", "10")),
            row_cap=int(_env("ROW_CAP", "100000")),
            max_request_bytes=int(_env("MAX_REQUEST_BYTES", str(512 * 2**10))),
            allowed_services=services,
            engines=int(_env("ENGINES", "2")),
            cache_entries=int(_env("CACHE_ENTRIES", "1024")),
        )
        return replace(settings, **overrides)
