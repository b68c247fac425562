"""An R client (httr2 + jsonlite, from Debian) queries the running service: docs/r/query.R, as docs/r.md shows it."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "docs" / "r" / "query.R"
RSCRIPT = shutil.which("Rscript")
FUSION = "<https://w3id.org/ntrkkg/fusion/{}-NTRK3>"
GENE = "<https://w3id.org/ntrkkg/gene/{}>"
LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
FIVE_PRIME = "<https://w3id.org/ntrkkg/ontology#fivePrimePartner>"

pytestmark = pytest.mark.skipif(
    RSCRIPT is None, reason="Rscript is not installed (Debian: r-base-core r-cran-httr2 r-cran-jsonlite)"
)


def run_r(*args: str) -> subprocess.CompletedProcess[str]:
    assert RSCRIPT is not None
    return subprocess.run([RSCRIPT, str(SCRIPT), *args], capture_output=True, text=True, timeout=120)


def sections(output: str) -> dict[str, list[list[str]]]:
    """The script's output: a ``# title`` line, then a tab-separated table with its header."""
    tables: dict[str, list[list[str]]] = {}
    title = ""
    for line in output.splitlines():
        if line.startswith("# "):
            title = line[2:].split(":")[0]
            tables[title] = []
        elif line:
            tables[title].append(line.split("\t"))
    return tables


def test_r_select_and_construct_answer_as_the_table_says(live_server: str) -> None:
    result = run_r(live_server + "/sparql")
    assert result.returncode == 0, result.stderr
    tables = sections(result.stdout)
    # Table 2 names three 5' partners of NTRK3: ETV6-NTRK3 (IFS, IMT), EML4-NTRK3 (IFS-like tumour),
    # SPECC1L-NTRK3 (an IFS case treated with larotrectinib); the NTRK3 fusions of row 5 have none named.
    assert tables["SELECT"] == [
        ["partner", "fusion"],
        ["EML4", "EML4-NTRK3 fusion"],
        ["ETV6", "ETV6-NTRK3 fusion"],
        ["SPECC1L", "SPECC1L-NTRK3 fusion"],
    ]
    expected = sorted(
        triple
        for partner in ("EML4", "ETV6", "SPECC1L")
        for triple in (
            [FUSION.format(partner), LABEL, f'"{partner}-NTRK3 fusion"@en'],
            [FUSION.format(partner), FIVE_PRIME, GENE.format(partner)],
        )
    )
    header, *triples = tables["CONSTRUCT"]
    assert header == ["subject", "predicate", "object"]
    assert sorted(triples) == expected


def test_r_reports_the_endpoints_refusal(live_server: str) -> None:
    query = "SELECT * WHERE { SERVICE <http://example.org/> { ?s ?p ?o } }"
    script = f"source({str(SCRIPT)!r}); sparql_select({live_server + '/sparql'!r}, {query!r})"
    assert RSCRIPT is not None
    result = subprocess.run([RSCRIPT, "-e", script], capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert "the endpoint answered 400" in result.stderr and "SERVICE is disabled" in result.stderr
