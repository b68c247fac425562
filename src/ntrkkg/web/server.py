"""Serving the app: waitress in one or more pre-forked processes on one listening socket.

waitress reads each request whole before a worker thread sees it, so slow clients (trickled headers
or bodies) cost a socket in its event loop, not a thread, and cannot starve ``/health`` or other
queries. The store is loaded once, before the fork, and shared copy-on-write by every process; each
serving process forks its own engines and keeps its share of the queue and the cache, and the
counters behind ``/stats`` live in shared memory, so every process reports the whole service.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import socket
import sys
import time

from flask import Flask

from ntrkkg.config import Settings

__all__ = ["serve", "threads_for"]


def threads_for(settings: Settings) -> int:
    """Per process: a thread for each of its engines and queue places, and some for pages and /health."""
    return (settings.engines + settings.queue) // settings.workers + 8


def _return_large_buffers() -> None:
    """Make glibc map every buffer over 1 MiB on its own, so freeing a large result returns it to the OS.

    By default glibc raises its mmap threshold after the first large free, and later large results land in
    per-thread arenas that never shrink: a few 40 MiB results then keep hundreds of MiB resident.
    """
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-3, 1 << 20)  # M_MMAP_THRESHOLD
        libc.mallopt(-8, 4)  # M_ARENA_MAX: fewer arenas for the many threads to pin


def _listen(host: str, port: int, count: int) -> list[socket.socket]:
    """One listening socket per serving process on one port (SO_REUSEPORT spreads connections evenly).

    A plain bind first proves the port is free: SO_REUSEPORT alone would let a second instance share it.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    socket.create_server((host, port), family=family).close()
    if count == 1:
        return [socket.create_server((host, port), family=family, backlog=2048)]
    first = socket.create_server((host, port), family=family, backlog=2048, reuse_port=True)
    bound = first.getsockname()[1]
    return [
        first,
        *(socket.create_server((host, bound), family=family, backlog=2048, reuse_port=True) for _ in range(count - 1)),
    ]


def _run(app: Flask, settings: Settings, listener: socket.socket, index: int) -> None:
    """One serving process: waitress on the shared socket until SIGTERM, then stop its engines."""
    from waitress import serve as waitress_serve

    service = app.extensions["ntrkkg"].service
    service.as_worker(index, settings.workers)

    def stop(signum: int, frame: object) -> None:
        raise SystemExit(0)  # waitress closes its sockets on SystemExit

    signal.signal(signal.SIGTERM, stop)
    try:
        waitress_serve(
            app,
            sockets=[listener],
            threads=threads_for(settings),
            connection_limit=1000,
            channel_timeout=30,
            cleanup_interval=5,
            max_request_body_size=settings.max_request_bytes,
            max_request_header_size=64 * 2**10,
            asyncore_use_poll=True,
            ident="ntrkkg",
            _quiet=index > 0,
        )
    finally:
        service.close()


def _fork(app: Flask, settings: Settings, listener: socket.socket, index: int) -> int:
    pid = os.fork()
    if pid == 0:  # the child serves until told to stop, and never returns into the supervisor's code
        code = 0
        try:
            _run(app, settings, listener, index)
        except SystemExit as done:
            code = done.code if isinstance(done.code, int) else 0
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    return pid


def serve(app: Flask, settings: Settings, host: str, port: int) -> None:
    """Serve ``app`` on ``host:port`` with ``settings.workers`` processes until SIGTERM or Ctrl-C."""
    try:
        import waitress  # noqa: F401
    except ImportError:
        raise SystemExit("ntrkkg serve needs the serve extra: pip install 'ntrkkg[serve]'") from None
    _return_large_buffers()
    listeners = _listen(host, port, settings.workers)
    service = app.extensions["ntrkkg"].service
    service.pool.close()  # engines are forked by each serving process, not here
    try:
        _supervise(app, settings, listeners)
    finally:
        service.close()


def _supervise(app: Flask, settings: Settings, listeners: list[socket.socket]) -> None:
    if settings.workers == 1:
        _run(app, settings, listeners[0], 0)
        return
    children = {_fork(app, settings, listeners[i], i): i for i in range(settings.workers)}
    stopping = False

    def stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while children:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            break
        index = children.pop(pid, None)
        if index is not None and not stopping:  # a serving process died: replace it
            print(f"ntrkkg: serving process {pid} ended ({status}); starting another", file=sys.stderr)
            time.sleep(0.5)
            children[_fork(app, settings, listeners[index], index)] = index
