"""``ntrkkg serve``: it starts, answers, and stops without leaving processes behind, with one or more processes."""

from __future__ import annotations

import os
import subprocess
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from conftest import free_port, serve_command


def _processes_mentioning(needle: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                state = next(line for line in (entry / "status").read_text().splitlines() if line.startswith("State:"))
            except (OSError, StopIteration):
                continue
            if needle in cmdline and "zombie" not in state:
                found.append(int(entry.name))
    return found


@pytest.mark.parametrize("workers", [1, 2])
def test_serve_answers_then_stops_cleanly(dist: Path, workers: int) -> None:
    port = free_port()
    process = subprocess.Popen(
        serve_command(port, dist),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "NTRKKG_WORKERS": str(workers)},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while True:
            try:
                urllib.request.urlopen(url + "/health", timeout=2).close()
                break
            except OSError:
                assert time.time() < deadline and process.poll() is None, "the server did not start"
                time.sleep(0.2)
        query = urllib.parse.urlencode({"query": "ASK { ?s ?p ?o }"})
        for _ in range(6):  # reach every serving process, so that each forks its engines
            with urllib.request.urlopen(f"{url}/sparql?{query}", timeout=10) as response:
                assert response.read() == b'{"head":{},"boolean":true}'
        assert len(_processes_mentioning(f"--port {port}")) >= 1 + workers  # the server and its engines
    finally:
        process.terminate()
        process.wait(30)
    deadline = time.time() + 15
    while _processes_mentioning(f"--port {port}") and time.time() < deadline:
        time.sleep(0.3)
    assert _processes_mentioning(f"--port {port}") == []
