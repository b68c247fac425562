"""Serving the app with waitress, which reads each request whole before a worker thread sees it.

Slow clients (trickled headers or bodies) then cost a socket in waitress's event loop, not a
thread, so they cannot starve ``/health`` or other queries. One process serves everything, so the
result cache and the counters are service-wide; the engines are separate processes anyway.
"""

from __future__ import annotations

import signal
from typing import Any

from flask import Flask

from ntrkkg.config import Settings

__all__ = ["serve", "threads_for"]


def threads_for(settings: Settings) -> int:
    """Enough threads for every engine and every queued query, with some left for pages and /health."""
    return settings.engines + settings.queue + 8


def serve(app: Flask, settings: Settings, host: str, port: int) -> None:
    """Serve ``app`` on ``host:port`` until interrupted."""
    try:
        from waitress import serve as waitress_serve
    except ImportError:
        raise SystemExit("ntrkkg serve needs the serve extra: pip install 'ntrkkg[serve]'") from None

    def stop(signum: int, frame: object) -> None:
        raise SystemExit(0)  # waitress closes its sockets on SystemExit; the engines are stopped below

    signal.signal(signal.SIGTERM, stop)
    try:
        _serve(app, waitress_serve, settings, host, port)
    finally:
        app.extensions["ntrkkg"].service.close()


def _serve(app: Flask, waitress_serve: Any, settings: Settings, host: str, port: int) -> None:
    waitress_serve(
        app,
        host=host,
        port=port,
        threads=threads_for(settings),
        connection_limit=1000,
        channel_timeout=30,
        cleanup_interval=5,
        max_request_body_size=settings.max_request_bytes,
        max_request_header_size=64 * 2**10,
        asyncore_use_poll=True,
        ident="ntrkkg",
    )
