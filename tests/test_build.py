"""A failed build leaves the previous output untouched, and says why."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import run_cli
from ntrkkg.build.pipeline import BuildResult, write_build


def test_failed_build_keeps_previous_dist(checkout_copy: Path) -> None:
    dist = checkout_copy / "dist"
    first = run_cli(checkout_copy, "build")  # no --out: dist/ of the working folder
    assert first.returncode == 0, first.stderr
    assert f"into {dist.relative_to(checkout_copy)}/" in first.stdout
    before = {p.name: p.read_bytes() for p in dist.iterdir()}

    # 30 responders of 28 patients breaks the counts shape.
    row = checkout_copy / "data" / "statements" / "1-ifs-canonical-etv6-ntrk3.ttl"
    row.write_text(
        row.read_text(encoding="utf-8").replace("ntrkkg:responderCount 27", "ntrkkg:responderCount 30"),
        encoding="utf-8",
    )
    second = run_cli(checkout_copy, "build", "--out", str(dist))
    assert second.returncode == 1
    assert "Traceback" not in second.stderr
    assert "responderCount" in second.stderr and "TreatmentCountsShape" in second.stderr
    assert "statement/ifs-canonical-etv6-ntrk3/treatment-response/1" in second.stderr
    assert {p.name: p.read_bytes() for p in dist.iterdir()} == before
    assert [p.name for p in checkout_copy.iterdir() if p.name.startswith(".dist")] == []


def test_writer_failure_keeps_previous_output(tmp_path: Path, built: BuildResult) -> None:
    out = tmp_path / "dist"
    out.mkdir()
    (out / "old.txt").write_text("previous build")

    def failing_writer(folder: Path, _result: object) -> None:
        (folder / "partial.nt").write_text("half")
        raise OSError("disk full")

    with pytest.raises(OSError):
        write_build(out, built, failing_writer)
    assert [p.name for p in out.iterdir()] == ["old.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["dist"]


def test_validate_command_reports_in_words_and_exits_1(checkout_copy: Path) -> None:
    fusions = checkout_copy / "data" / "fusions.ttl"
    fusions.write_text(
        fusions.read_text(encoding="utf-8").replace("ntrkkg:fivePrimePartner <gene/ETV6> ; ", ""), encoding="utf-8"
    )
    result = run_cli(checkout_copy, "validate")
    assert result.returncode == 1
    assert "fusion/ETV6-NTRK3" in result.stdout
    assert "GeneFusionShape" in result.stdout
    as_json = run_cli(checkout_copy, "validate", "--format", "json")
    assert '"conforms": false' in as_json.stdout
