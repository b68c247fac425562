"""Malformed input gets an error naming the file and line, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import run_cli
from ntrkkg.build.loading import SourceError, parse_turtle


def test_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\n\nex:d ex:e \n", encoding="utf-8")
    with pytest.raises(SourceError) as caught:
        parse_turtle(bad)
    assert caught.value.path == bad
    assert caught.value.line == 4
    assert str(caught.value).startswith(f"{bad}:4: bad Turtle syntax")


def test_undeclared_prefix_is_reported(tmp_path: Path) -> None:
    bad = tmp_path / "prefix.ttl"
    bad.write_text("ex:a ex:b ex:c .\n", encoding="utf-8")
    with pytest.raises(SourceError, match=r"prefix\.ttl:1: "):
        parse_turtle(bad)


def test_binary_file_is_reported(tmp_path: Path) -> None:
    bad = tmp_path / "binary.ttl"
    bad.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(SourceError, match="binary.ttl"):
        parse_turtle(bad)


def test_cli_reports_malformed_data_without_traceback(checkout_copy: Path, tmp_path: Path) -> None:
    broken = checkout_copy / "data" / "genes.ttl"
    broken.write_text(broken.read_text(encoding="utf-8") + "\n<gene/X> a \n", encoding="utf-8")
    result = run_cli(checkout_copy, "build", "--out", str(tmp_path / "dist"))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "genes.ttl:" in result.stderr and "bad Turtle syntax" in result.stderr
    assert not (tmp_path / "dist").exists()


@pytest.mark.parametrize(
    ("line", "says"),
    [
        ('<not an iri> <https://example.org/b> "x" .', "Invalid IRI code point ' '"),
        ('<https://example.org/a> <https://example.org/b> "x"@en-xxxxxxxxxxxx .', "subtag"),
        (
            '<https://example.org/a> <https://example.org/b> "abc"^^<http://www.w3.org/2001/XMLSchema#integer> .',
            "not a valid http://www.w3.org/2001/XMLSchema#integer",
        ),
    ],
)
def test_malformed_terms_are_refused_at_the_door_with_file_and_line(tmp_path: Path, line: str, says: str) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text(
        "<https://example.org/a> <https://example.org/b> <https://example.org/c> .\n\n" + line + "\n", encoding="utf-8"
    )
    with pytest.raises(SourceError) as caught:
        parse_turtle(bad)
    assert caught.value.path == bad and caught.value.line == 3, caught.value
    assert says in str(caught.value)
