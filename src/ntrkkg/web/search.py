"""``/search``: full-text search of the build, as HTML or JSON; IRIs in the wrong case; helpful 404 pages.

Search is not a SPARQL query: the page reads the build's index (``dist/search.sqlite``) itself,
read-only. Inside SPARQL the same search is the function ``<https://w3id.org/ntrkkg/function#search>``.
"""

from __future__ import annotations

import dataclasses
import json
import threading
import time

from flask import Blueprint, Response, redirect, render_template, request

from ntrkkg.sparql.search import Hit, Results, SearchIndex, index_path
from ntrkkg.web.pages import wants_html
from ntrkkg.web.protocol import problem, site

__all__ = ["blueprint", "not_found"]

blueprint = Blueprint("search", __name__)

#: Longest query accepted, in characters; a search box, not a document.
MAX_QUERY = 500
MAX_LIMIT = 100


_local = threading.local()


def _index() -> SearchIndex | None:
    """This thread's read-only connection to the build's index, reopened when a new build replaces the file."""
    path = index_path(site().settings.dist)
    try:
        stat = path.stat()
    except OSError:
        return None
    key = (str(path.resolve()), stat.st_ino, stat.st_mtime_ns)
    cached: tuple[tuple[str, int, int], SearchIndex] | None = getattr(_local, "index", None)
    if cached is not None and cached[0] == key:
        return cached[1]
    if cached is not None:
        cached[1].close()
        _local.index = None
    try:
        index = SearchIndex.open(path)
    except (OSError, ValueError):
        return None
    _local.index = (key, index)
    return index


def _link(iri: str) -> str:
    base = site().settings.base
    return iri.replace(base, "/", 1) if iri.startswith(base) else iri


def _hit(hit: Hit) -> dict[str, object]:
    return {**dataclasses.asdict(hit), "page": _link(hit.iri)}


def _wants_json() -> bool | None:
    """True for JSON, False for HTML, None for a format this page does not offer."""
    override = request.args.get("format")
    if override:
        return {"json": True, "html": False}.get(override)
    best = request.accept_mimetypes.best_match(["text/html", "application/json"], default="text/html")
    return best == "application/json"


@blueprint.route("/search")
def search() -> Response:
    """Resources matching ``q``, best first, with highlighted snippets; HTML or JSON by ``Accept`` or ``format``."""
    started = time.perf_counter()
    as_json = _wants_json()
    if as_json is None:
        return problem(406, "format= takes html or json here")
    query = request.args.get("q", "").strip()
    if len(query) > MAX_QUERY:
        return problem(400, f"the query has {len(query)} characters; at most {MAX_QUERY} are searched")
    try:
        limit = int(request.args.get("limit", "20"))
    except ValueError:
        return problem(400, f"limit={request.args.get('limit')!r} is not a whole number")
    if not 1 <= limit <= MAX_LIMIT:
        return problem(400, f"limit must be between 1 and {MAX_LIMIT}")
    index = _index()
    if index is None:
        return problem(503, "this build has no search index; rebuild it with `ntrkkg build`")
    results = index.search(query, limit) if query else Results(query, [])
    took = round((time.perf_counter() - started) * 1000, 2)
    if as_json:
        body = {
            "query": query,
            "relaxed": results.relaxed,
            "corrections": results.corrections or {},
            "hits": [_hit(h) for h in results.hits],
            "milliseconds": took,
        }
        response = Response(json.dumps(body, indent=2, ensure_ascii=False), content_type="application/json")
    else:
        response = _page(results, took=took)
    response.vary.add("Accept")
    return response


def _page(results: Results, *, took: float | None = None, missing: str | None = None, status: int = 200) -> Response:
    hits = [_hit(h) for h in results.hits]
    body = render_template("search.html", results=results, hits=hits, took=took, missing=missing)
    return Response(body, status=status, content_type="text/html; charset=utf-8")


def not_found(iri: str) -> Response:
    """The answer for an IRI of no resource: a redirect to the IRI that differs only in case, else a 404.

    The 404 names the nearest resources: on a page for browsers, as lines of text otherwise.
    """
    index = _index()
    hits: list[Hit] = []
    if index is not None:
        target = index.resolve(iri)
        if target is not None and target.startswith(site().settings.base):
            location = _link(target)
            if request.query_string:
                location += "?" + request.query_string.decode("latin-1")
            return redirect(location, 308)  # type: ignore[return-value]
        hits = index.nearest(iri)
    if wants_html(request.args.get("format")):
        return _page(Results("", hits), missing=iri, status=404)
    message = f"{iri} is not a resource of this dataset"
    if hits:
        message += "; the nearest are:\n" + "\n".join(f"  {h.iri}  ({h.label})" for h in hits)
    return problem(404, message)
