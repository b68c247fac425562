"""The command line: query formats, table formats, exit codes and messages."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from ntrkkg import cli
from ntrkkg.resources import resource_dir

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
    assert out.endswith("}\n")  # the shell's prompt starts on a line of its own


@pytest.mark.parametrize("fmt", ["xml", "turtle", "jsonld"])
def test_every_format_ends_with_a_newline(run: Run, fmt: str) -> None:
    gene = "<https://w3id.org/ntrkkg/gene/ALK>"
    query = f"CONSTRUCT {{ {gene} ?p ?o }} WHERE {{ {gene} ?p ?o }}" if fmt != "xml" else Q
    code, out, _ = run("query", query, "--format", fmt)
    assert code == 0 and out.endswith("\n") and not out.endswith("\n\n")


def test_help_is_plain_text(capsys: pytest.CaptureFixture[str]) -> None:
    for args in (["--help"], ["query", "--help"], ["table", "--help"]):
        with pytest.raises(SystemExit):
            cli.main(args)
        out = capsys.readouterr().out
        assert "``" not in out and ":class:" not in out and out.startswith("usage: ntrkkg"), out
    with pytest.raises(SystemExit):
        cli.main(["query", "--help"])
    assert "ntrkkg query 21" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            "SELEC ?x WHERE { ?x ?p ?o }",
            "ntrkkg: line 1, column 1: unknown keyword 'SELEC'; did you mean SELECT?\n"
            "  SELEC ?x WHERE { ?x ?p ?o }\n  ^\n",
        ),
        (
            "SELECT ?x WHERE {\n  ?x foo:bar ?o }",
            "ntrkkg: line 2, column 6: prefix 'foo:' is not declared; add PREFIX foo: <...>\n"
            "    ?x foo:bar ?o }\n       ^\n",
        ),
        (
            "SELECT ?x WHERE { ?x hgnc:8031 ?o }",
            "ntrkkg: line 1, column 22: prefix 'hgnc:' is not declared; add PREFIX hgnc: "
            "<https://www.genenames.org/data/gene-symbol-report/#!/hgnc_id/> (a prefix the dataset's map knows)\n"
            "  SELECT ?x WHERE { ?x hgnc:8031 ?o }\n                       ^\n",
        ),
        ("", "ntrkkg: the query is empty\n"),
    ],
)
def test_parse_errors_say_where_and_what_to_do(run: Run, query: str, message: str) -> None:
    code, out, err = run("query", query)
    assert (code, out, err) == (2, "", message)


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
    assert code == 0 and out.startswith("**Table 2.** Histological classification")


def test_table_is_the_source_file(run: Run) -> None:
    from conftest import SOURCE_TABLE

    code, out, _ = run("table")
    assert code == 0 and out.encode("utf-8") == SOURCE_TABLE.read_bytes()


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["--version"])
    assert capsys.readouterr().out.startswith("ntrkkg ")


def test_query_runs_an_example_by_option(run: Run) -> None:
    code, out, _ = run("query", "--example", "ntrk3-partner-genes", "--format", "csv")
    assert code == 0
    # Table 2 prints ETV6-NTRK3, EML4-NTRK3 and SPECC1L-NTRK3 (source lines 6, 8, 15, 19 and 50).
    assert {"EML4", "ETV6", "SPECC1L"} <= {cell for line in out.splitlines() for cell in line.split(",")}
    code, _, err = run("query", "--example", "no-such-question")
    assert code == 1 and "no example 'no-such-question'" in err and "--list-examples" in err
    code, _, err = run("query", "ASK {}", "--example", "2")
    assert code == 1 and "not both" in err


def test_query_lists_the_examples_by_question(run: Run) -> None:
    code, out, _ = run("query", "--list-examples")
    lines = out.splitlines()
    assert code == 0 and len(lines) == len(list(resource_dir("queries").glob("*.ttl")))
    assert lines[1].split()[:2] == ["2", "ntrk3-partner-genes"]
