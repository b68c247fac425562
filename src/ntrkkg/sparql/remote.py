"""Answering jobs by forwarding them to a remote SPARQL endpoint (the engines' evaluator for ``sparql:URL``).

The remote receives only the canonical text that vetting produced, so it sees no SERVICE or update
that vetting did not see. Its answer is read whole and checked: a failure part-way is a 502,
never a truncated 200; the row and byte caps apply as for the embedded store.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pyoxigraph as ox
import requests

from ntrkkg.formats import BY_KEY, Format
from ntrkkg.sparql.engine import Job, Outcome, result_rows
from ntrkkg.store.remote import RemoteStore

__all__ = ["forward", "remote"]


def remote(url: str, timeout: float) -> Callable[[], RemoteStore]:
    """A factory of remote-store clients; each engine process makes its own HTTP session."""
    return lambda: RemoteStore(url, timeout=timeout)


def _media_type(response: requests.Response) -> str:
    return response.headers.get("Content-Type", "").split(";")[0].strip().lower()


def _read_capped(response: requests.Response, limit: int) -> bytes | None:
    chunks, size = [], 0
    for chunk in response.iter_content(2**16):
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _parse(body: bytes, media_type: str) -> Any:
    """The remote's answer parsed by pyoxigraph: solutions, a boolean, or a list of triples."""
    results = ox.QueryResultsFormat.from_media_type(media_type)
    if results is not None:
        return ox.parse_query_results(body, results)
    rdf = ox.RdfFormat.from_media_type(media_type)
    if rdf is not None:
        return list(ox.parse(body, rdf))
    raise ValueError(f"the SPARQL endpoint answered in {media_type or 'no stated type'}, which cannot be read")


def _serialize(parsed: Any, fmt: Format) -> bytes:
    if isinstance(parsed, list):
        return ox.serialize(parsed, format=fmt.oxigraph) or b""
    return bytes(parsed.serialize(format=fmt.oxigraph))


def forward(store: RemoteStore, job: Job) -> Outcome:
    """Answer ``job`` from the remote endpoint; convert its answer if it chose another format."""
    fmt = BY_KEY[job.format]
    try:
        with store.post(job.query, fmt.media_type, job.default_graphs, job.named_graphs, stream=True) as response:
            status, media_type = response.status_code, _media_type(response)
            body = _read_capped(response, job.max_bytes)
    except requests.Timeout:
        return Outcome("bad-gateway", message="the SPARQL endpoint behind this service did not answer in time")
    except requests.RequestException as error:
        return Outcome(
            "bad-gateway", message=(f"the SPARQL endpoint behind this service failed ({type(error).__name__})")
        )
    if body is None:
        return Outcome("too-large", message=f"the serialised result exceeds {job.max_bytes:,} bytes")
    if status != 200:
        if status >= 500:  # its own words stay in its log: they may describe systems the client must not see
            return Outcome("bad-gateway", message=f"the SPARQL endpoint behind this service answered {status}")
        said = body.decode("utf-8", "replace").strip()[:300]
        return Outcome("error", message=f"the SPARQL endpoint behind this service answered {status}: {said}")
    try:
        # Reading it whole proves it is well formed (a cut stream already failed in requests). CSV cannot be
        # parsed back, so it is taken as it came when it was what we asked for.
        same = media_type in (fmt.media_type, *fmt.aliases)
        parsed = None if same and fmt.key == "csv" else _parse(body, media_type)
        if not same:
            body = _serialize(parsed, fmt)
        if len(body) > 2 * job.row_cap and result_rows(body, fmt) > job.row_cap:
            what = "triples" if fmt.graph else "rows"
            return Outcome("too-large", message=f"the result has more than {job.row_cap:,} {what}, this endpoint's cap")
    except (SyntaxError, ValueError, OSError) as error:
        return Outcome("bad-gateway", message=f"the SPARQL endpoint's answer could not be read: {error}")
    kind = "graph" if fmt.graph else ("boolean" if isinstance(parsed, ox.QueryBoolean) else "solutions")
    return Outcome("ok", body, kind=kind)
