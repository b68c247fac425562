"""The command line: query formats, table formats, exit codes and messages."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from ntrkkg import cli

Run = Callable[..., tuple[int, str, str]]
"""The ``run`` fixture: ``ntrkkg`` with these arguments, giving (exit code, stdout, stderr)."""


@pytest.fixture
def run(dist: Path, capsys: pytest.CaptureFixture[str]) -> Run:
    def invoke(*args: str) -> tuple[int, str, str]:
        code = cli.main([*args, "--dist", str(dist)] if args[0] in ("query", "table") else list(args))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return invoke


Q = (
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
    "SELECT ?l WHERE { <https://w3id.org/ntrkkg/drug/larotrectinib> rdfs:label ?l }"
)


def test_query_json(run: Run) -> None:
    code, out, _ = run("query", Q, "--format", "json")
    assert code == 0
    assert json.loads(out)["results"]["bindings"][0]["l"]["value"] == "larotrectinib"


def test_query_csv_and_tsv(run: Run) -> None:
    _, out, _ = run("query", Q, "--format", "csv")
    assert list(csv.reader(io.StringIO(out))) == [["l"], ["larotrectinib"]]
    _, out, _ = run("query", Q, "--format", "tsv")
    assert out.splitlines()[1] == '"larotrectinib"@en'


def test_query_table(run: Run) -> None:
    code, out, _ = run("query", Q)
    assert code == 0 and "larotrectinib" in out and "(1 row)" in out


def test_query_from_file(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "q.rq"
    path.write_text("ASK { <https://w3id.org/ntrkkg/gene/NTRK1> ?p ?o }")
    code, out, _ = run("query", f"@{path}")
    assert (code, out) == (0, "true\n")


def test_bad_query_is_an_error_not_a_traceback(run: Run) -> None:
    code, out, err = run("query", "SELEC ?x WHERE {")
    assert code == 2 and out == ""
    assert err.startswith("ntrkkg: line 1, column 1: ") and "SELEC" in err


def test_construct_as_ntriples(run: Run) -> None:
    sparql = "CONSTRUCT { ?g a ?t } WHERE { ?g a ?t FILTER(?g = <https://w3id.org/ntrkkg/gene/ALK>) }"
    code, out, _ = run("query", sparql, "--format", "ntriples")
    assert code == 0 and "<https://w3id.org/ntrkkg/gene/ALK>" in out


def test_table_formats(run: Run) -> None:
    code, out, _ = run("table", "--format", "csv")
    assert code == 0 and len(out.splitlines()) == 57
    code, out, _ = run("table", "--format", "markdown")
    assert code == 0 and out.startswith("| Tumor type |")


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["--version"])
    assert capsys.readouterr().out.startswith("ntrkkg ")
