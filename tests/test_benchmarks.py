"""The benchmarks run (their numbers are reported by them, not asserted here)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def test_scale_benchmark_runs_at_10k(tmp_path: Path) -> None:
    out = tmp_path / "scale.md"
    result = subprocess.run(
        [
            sys.executable,
            str(BENCHMARKS / "scale.py"),
            "--sizes",
            "10k",
            "--stages",
            "oxigraph",
            "--reps",
            "2",
            "--query-budget",
            "1",
            "--workdir",
            str(tmp_path / "work"),
            "--out-md",
            str(out),
            "--out-png",
            str(tmp_path / "scale.png"),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    table = out.read_text(encoding="utf-8")
    assert "| 10k |" in table and "bulk_load" in table


def test_build_benchmark_runs(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(BENCHMARKS / "build.py"), "--runs", "1"],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "| reason |" in result.stdout and "full build:" in result.stdout
