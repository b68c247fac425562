"""IRI references resolved against a base as RFC 3986 section 5.2 says (for BASE and relative SERVICE IRIs)."""

from __future__ import annotations

import re

__all__ = ["is_absolute", "resolve"]

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
_IRI_PARTS = re.compile(r"(?:([A-Za-z][A-Za-z0-9+.\-]*):)?(?://([^/?#]*+))?([^?#]*+)(?:\?([^#]*+))?(?:#(.*+))?", re.S)


def is_absolute(iri: str) -> bool:
    """True when ``iri`` starts with a scheme."""
    return _SCHEME.match(iri) is not None


def _split(iri: str) -> tuple[str | None, str | None, str, str | None, str | None]:
    m = _IRI_PARTS.fullmatch(iri)
    assert m is not None  # every part is optional
    scheme, authority, path, query, fragment = m.groups()
    return scheme, authority, path, query, fragment


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 §5.2.4, in linear time."""
    out: list[str] = []
    i, n = 0, len(path)
    while i < n:
        if path.startswith("../", i):
            i += 3
        elif path.startswith(("./", "/./"), i):
            i += 2
        elif path.startswith("/.", i) and i + 2 == n:
            out.append("/")
            i = n
        elif path.startswith("/../", i):
            i += 3
            if out:
                out.pop()
        elif path.startswith("/..", i) and i + 3 == n:
            if out:
                out.pop()
            out.append("/")
            i = n
        elif n - i <= 2 and path[i:] in (".", ".."):
            i = n
        else:
            j = path.find("/", i + 1 if path[i] == "/" else i)
            j = n if j < 0 else j
            out.append(path[i:j])
            i = j
    return "".join(out)


def resolve(base: str, reference: str) -> str:
    """``reference`` resolved against the absolute ``base`` (RFC 3986 §5.2)."""
    r_scheme, r_auth, r_path, r_query, r_fragment = _split(reference)
    scheme: str | None
    if r_scheme is not None:
        scheme, auth, path, query = r_scheme, r_auth, _remove_dot_segments(r_path), r_query
    else:
        scheme, b_auth, b_path, b_query, _ = _split(base)
        if r_auth is not None:
            auth, path, query = r_auth, _remove_dot_segments(r_path), r_query
        else:
            auth = b_auth
            if not r_path:
                path, query = b_path, (r_query if r_query is not None else b_query)
            else:
                if r_path.startswith("/"):
                    path = _remove_dot_segments(r_path)
                elif b_auth is not None and not b_path:
                    path = _remove_dot_segments("/" + r_path)
                else:
                    path = _remove_dot_segments(b_path[: b_path.rfind("/") + 1] + r_path)
                query = r_query
    result = (scheme + ":" if scheme is not None else "") + ("//" + auth if auth is not None else "") + path
    result += ("?" + query if query is not None else "") + ("#" + r_fragment if r_fragment is not None else "")
    return result
