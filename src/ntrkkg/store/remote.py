"""Remote stores: a SPARQL 1.1 Protocol client, and publishing over the Graph Store Protocol.

``sparql:URL`` names a remote endpoint that the service forwards vetted queries to; fill it with
``ntrkkg publish``, which PUTs each named graph (so publishing again leaves exactly this data).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import requests
from requests.auth import AuthBase, HTTPBasicAuth, HTTPDigestAuth

from ntrkkg.namespaces import GraphNames
from ntrkkg.store.local import StoreError, read_only, serving_store

__all__ = ["Published", "RemoteStore", "parse_spec", "publish", "source_store"]


def parse_spec(spec: str) -> tuple[str, str]:
    """``("oxigraph", path)`` or ``("sparql", url)`` from ``oxigraph:PATH`` or ``sparql:URL``."""
    kind, _, location = spec.partition(":")
    if kind not in ("oxigraph", "sparql") or not location:
        raise StoreError(f"unknown store {spec!r}: use oxigraph:PATH or sparql:URL")
    if kind == "sparql" and not location.startswith(("http://", "https://")):
        raise StoreError(f"sparql:URL needs an http(s) URL, not {location!r}")
    return kind, location


# --- A remote SPARQL endpoint ----------------------------------------------------------------


def _graph_params(name: str, graphs: Iterable[str] | None) -> list[tuple[str, str]]:
    return [(name, g) for g in graphs or ()]


@dataclass
class RemoteStore:
    """A SPARQL 1.1 Protocol client that stands in for a pyoxigraph store (queries only)."""

    url: str
    timeout: float = 60.0
    session: requests.Session = field(default_factory=requests.Session)

    def post(
        self,
        query: str,
        accept: str,
        default_graphs: Iterable[str] | None = None,
        named_graphs: Iterable[str] | None = None,
        *,
        stream: bool = False,
    ) -> requests.Response:
        """POST a query by the SPARQL Protocol; ``stream`` leaves the body unread."""
        data = [
            ("query", query),
            *_graph_params("default-graph-uri", default_graphs),
            *_graph_params("named-graph-uri", named_graphs),
        ]
        return self.session.post(self.url, data=data, headers={"Accept": accept}, timeout=self.timeout, stream=stream)


# --- Publishing over the Graph Store Protocol ------------------------------------------------


@dataclass(frozen=True)
class Published:
    """One graph PUT to the remote store."""

    graph: str
    triples: int
    status: int


def _auth(credentials: str | None, digest: bool) -> AuthBase | None:
    if credentials is None:
        return None
    user, sep, password = credentials.partition(":")
    if not sep:
        raise StoreError("--auth takes user:password")
    return HTTPDigestAuth(user, password) if digest else HTTPBasicAuth(user, password)


def source_store(dist: Path, spec: str | None, base: str, names: GraphNames) -> ox.Store:
    """What ``publish`` sends: an on-disk store, or the build in ``dist`` with VoID and examples."""
    if spec is None:
        return serving_store(dist, base, names)
    kind, location = parse_spec(spec)
    if kind != "oxigraph":
        raise StoreError("publish reads from a dist folder or an oxigraph:PATH store")
    return read_only(location)()


def publish(
    store: ox.Store, to: str, *, credentials: str | None = None, digest: bool = False, timeout: float = 300.0
) -> list[Published]:
    """PUT each named graph of ``store`` to the Graph Store Protocol endpoint ``to``.

    PUT replaces the graph, so publishing again leaves the remote with exactly this data.
    Each graph is sent as N-Triples (``application/n-triples``), named by the ``graph``
    parameter (``to`` is e.g. Oxigraph's ``/store`` or Virtuoso's ``/sparql-graph-crud-auth``).
    """
    session = requests.Session()
    session.auth = _auth(credentials, digest)
    done = []
    for graph in sorted(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode)):
        body = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(graph))
        assert body is not None
        response = session.put(
            to, params={"graph": graph}, data=body, timeout=timeout, headers={"Content-Type": "application/n-triples"}
        )
        if response.status_code not in (200, 201, 204):
            raise StoreError(f"{to} refused graph {graph}: {response.status_code} {response.text[:500]}")
        done.append(Published(graph, body.count(b"\n"), response.status_code))
    return done
