"""One validated configuration, read once from arguments and ``NTRKKG_*`` variables.

Every setting has one name, one default and one check; a bad value is refused with a message that
names the variable, the value and what is expected, never a traceback. The README lists them all.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from ntrkkg.namespaces import AUTHORED_BASE, GraphNames, graph_names

__all__ = ["ConfigError", "Settings", "check_base", "parse_bytes", "parse_seconds"]


class ConfigError(ValueError):
    """A setting has a value that cannot be used; the message names it and says what is expected."""


_SIZE_UNITS = {
    "": 1,
    "b": 1,
    "k": 2**10,
    "kb": 2**10,
    "kib": 2**10,
    "m": 2**20,
    "mb": 2**20,
    "mib": 2**20,
    "g": 2**30,
    "gb": 2**30,
    "gib": 2**30,
}
_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*", re.I)
_SECONDS = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(ms|s|)\s*", re.I)


def parse_bytes(text: str) -> int:
    """``"512K"``, ``"256 MiB"``, ``"1G"`` or a plain number of bytes."""
    match = _SIZE.fullmatch(text)
    unit = match.group(2).lower() if match else ""
    if match is None or unit not in _SIZE_UNITS:
        raise ValueError("expected a size such as 1048576, 512K, 256M or 1G")
    return int(float(match.group(1)) * _SIZE_UNITS[unit])


def parse_seconds(text: str) -> float:
    """``"10"``, ``"10s"``, ``"2.5"`` or ``"500ms"``."""
    match = _SECONDS.fullmatch(text)
    if match is None:
        raise ValueError("expected seconds such as 10, 2.5, 10s or 500ms")
    value = float(match.group(1))
    return value / 1000 if match.group(2).lower() == "ms" else value


def _flag(text: str) -> bool:
    value = text.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise ValueError("expected true or false (1/0, yes/no)")


def _services(text: str) -> frozenset[str]:
    return frozenset(s.strip() for s in text.split(",") if s.strip())


_IRI_BASE = re.compile(r"https?://[^\s<>\"{}|\\^`]+")


def check_base(base: str) -> str:
    """The base IRI under which the data is published: absolute http(s), ending with ``/``."""
    if not _IRI_BASE.fullmatch(base):
        raise ValueError("expected an absolute http(s) IRI such as https://example.org/kg/")
    if not base.endswith("/"):
        raise ValueError(f"must end with '/' (IRIs are minted as BASE + 'gene/NTRK1'); did you mean {base}/ ?")
    return base


def check_endpoint(endpoint: str) -> str:
    """The public IRI of the SPARQL endpoint: absolute http(s)."""
    if not _IRI_BASE.fullmatch(endpoint):
        raise ValueError("expected an absolute http(s) IRI such as https://example.org/kg/sparql")
    return endpoint


def _positive(parse: Callable[[str], Any]) -> Callable[[str], Any]:
    def checked(text: str) -> Any:
        value = parse(text)
        if value <= 0:
            raise ValueError("expected a positive value")
        return value

    return checked


def _count(text: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise ValueError("expected a whole number") from None


@dataclass(frozen=True)
class Settings:
    """Everything an operator can set. Build it with :meth:`from_env`; tests may construct it directly."""

    #: Base IRI the data is published under; the ontology's own IRIs never move.
    base: str = AUTHORED_BASE
    #: Public IRI of the SPARQL endpoint (default: BASE + ``sparql``).
    endpoint: str = ""
    dist: Path = Path("dist")
    #: ``oxigraph:PATH`` or ``sparql:URL`` to serve instead of the dump in ``dist``.
    store: str | None = None
    #: Wall-clock limit of a query, queueing included (seconds).
    timeout: float = 10.0
    row_cap: int = 100_000
    max_result_bytes: int = 64 * 2**20
    max_request_bytes: int = 512 * 2**10
    max_query_length: int = 100_000
    #: Operator-allowed SERVICE endpoints (exact IRIs).
    allowed_services: frozenset[str] = field(default_factory=frozenset)
    #: Serving processes (each with its share of engines, queue and cache); by default one per core.
    workers: int = field(default_factory=lambda: os.cpu_count() or 1)
    #: Engine processes in all; by default (0) two per serving process.
    engines: int = 0
    #: Engines one client may hold at once; further queries of that client get 429.
    engines_per_client: int = 2
    #: Queries that may wait for a free engine; more get 503 at once.
    queue: int = 32
    #: Address-space limit of each engine process.
    engine_memory: int = 2 * 2**30
    #: Results above this size end their engine's life (it is replaced), returning its memory.
    recycle_after_bytes: int = 32 * 2**20
    #: Budget of the result cache, in bytes of cached bodies.
    cache_bytes: int = 64 * 2**20
    #: Run the engines with what confinement the kernel offers, and serve beyond loopback so.
    allow_unconfined: bool = False

    def __post_init__(self) -> None:
        if not self.endpoint:
            object.__setattr__(self, "endpoint", self.base + "sparql")
        if not self.engines:
            object.__setattr__(self, "engines", 2 * self.workers)

    @property
    def names(self) -> GraphNames:
        """The named graphs of the served dataset."""
        return graph_names(self.base, self.endpoint)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Settings from ``NTRKKG_*`` variables, then ``overrides`` (command-line arguments; None is ignored)."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for name, (variable, parse) in _VARIABLES.items():
            raw = env.get(variable)
            if raw is None or raw == "":
                continue
            try:
                values[name] = parse(raw)
            except ValueError as error:
                raise ConfigError(f"{variable}={raw!r}: {error}") from None
        for name, value in overrides.items():
            if value is None:
                continue
            try:  # a command-line argument is checked as its variable would be
                values[name] = _VARIABLES[name][1](value) if isinstance(value, str) else value
            except ValueError as error:
                raise ConfigError(f"{name} {value!r}: {error}") from None
        settings = cls(**values)
        if settings.max_query_length > settings.max_request_bytes:
            raise ConfigError("NTRKKG_MAX_QUERY_LENGTH cannot exceed NTRKKG_MAX_REQUEST_BYTES")
        return settings


#: Setting name -> (variable, parser). The README's table of variables is checked against this.
_VARIABLES: dict[str, tuple[str, Callable[[str], Any]]] = {
    "base": ("NTRKKG_BASE", check_base),
    "endpoint": ("NTRKKG_ENDPOINT", check_endpoint),
    "dist": ("NTRKKG_DIST", Path),
    "store": ("NTRKKG_STORE", str),
    "timeout": ("NTRKKG_TIMEOUT", _positive(parse_seconds)),
    "row_cap": ("NTRKKG_ROW_CAP", _positive(_count)),
    "max_result_bytes": ("NTRKKG_MAX_RESULT_BYTES", _positive(parse_bytes)),
    "max_request_bytes": ("NTRKKG_MAX_REQUEST_BYTES", _positive(parse_bytes)),
    "max_query_length": ("NTRKKG_MAX_QUERY_LENGTH", _positive(_count)),
    "allowed_services": ("NTRKKG_ALLOWED_SERVICES", _services),
    "workers": ("NTRKKG_WORKERS", _positive(_count)),
    "engines": ("NTRKKG_ENGINES", _positive(_count)),
    "engines_per_client": ("NTRKKG_ENGINES_PER_CLIENT", _positive(_count)),
    "queue": ("NTRKKG_QUEUE", _count),
    "engine_memory": ("NTRKKG_ENGINE_MEMORY", _positive(parse_bytes)),
    "recycle_after_bytes": ("NTRKKG_RECYCLE_AFTER_BYTES", _positive(parse_bytes)),
    "cache_bytes": ("NTRKKG_CACHE_BYTES", parse_bytes),
    "allow_unconfined": ("NTRKKG_ALLOW_UNCONFINED", _flag),
}
VARIABLES = {name: variable for name, (variable, _) in _VARIABLES.items()}
assert set(VARIABLES) == {f.name for f in fields(Settings)}, "every setting has one variable"
