"""The pages a person reads: tumour types in the table's order, statements named by what they say,
the ontology page, HTML views of VoID and the examples, downloads, and the query editor's page.

Expected values are written by hand from Table 2 (``tests/fixtures/source/table2.txt``).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from conftest import FACETS
from ntrkkg.build.examples import examples
from ntrkkg.web.entity import tidy_label
from ntrkkg.web.pages import human_size

BASE = "https://w3id.org/ntrkkg/"
CHROME = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"


def _page(client: FlaskClient, path: str, accept: str = CHROME) -> str:
    response = client.get(path, headers={"Accept": accept})
    assert response.status_code == 200 and response.mimetype == "text/html", (path, response.status_code)
    return response.get_data(as_text=True)


def _editor_data(page: str) -> dict[str, Any]:
    match = re.search(r'<script id="editor-data" type="application/json">(.*?)</script>', page, re.S)
    assert match, "no editor data"
    data: dict[str, Any] = json.loads(match[1])
    return data


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def _section(page: str, heading: str) -> str:
    """The HTML after ``<h2>heading</h2>`` up to the next h2."""
    start = page.index(f"<h2>{heading}</h2>")
    end = page.find("<h2>", start + 4)
    return page[start : end if end > 0 else len(page)]


def test_tumour_type_page_follows_the_table(client: FlaskClient) -> None:
    page = _page(client, "/disease/ifs-like-tumor")
    assert re.findall(r'<h3 class="facet">([^<]+)</h3>', page) == FACETS
    assert (
        'a kind of <a href="/ontology#Disease">disease</a> and <a href="/ontology#TumourType">tumour type</a>' in page
    )
    # Within a facet, the parts of the cell in the order printed: EML4-NTRK3, LMNA-NTRK1, BRAF, MET.
    genetics = page[page.index(">Genetic features<") : page.index(">Radiological features<")]
    assert re.findall(r'href="/fusion/([^"]+)"', genetics) == ["EML4-NTRK3", "LMNA-NTRK1", "BRAF", "MET"]


def test_structured_findings_are_spelled_out(client: FlaskClient) -> None:
    page = _page(client, "/disease/ifs-canonical-etv6-ntrk3")
    findings = [_text(block) for block in re.findall(r'<ul class="findings">(.*?)</ul>', page, re.S)]
    assert "marker vimentin · staining result positive · frequency wording most cases" in findings
    assert "reports fusion ETV6-NTRK3 fusion" in findings
    # "Larotrectinib has shown a 96% response rate (27/28) for IFS [16]"
    treatment = next(f for f in findings if "larotrectinib" in f)
    for part in ("drug larotrectinib", "outcome type response rate", "responder count 27", "patient count 28"):
        assert part in treatment, treatment
    assert "response percentage 96" in treatment and "96.0" not in treatment
    # Every part of a statement (findings, outcomes, subgroups) is spelled out, never left as its IRI.
    assert not [f for f in findings if "/finding/" in f or "/outcome/" in f]


def test_parts_of_statements_are_spelled_out_on_every_row(client: FlaskClient) -> None:
    # Row 4: "These tumors show low cellularity, a low mitotic count, and lacked necrosis ... [25]"
    page = _page(client, "/disease/mpnst-like-spindle-cell-tumor")
    findings = [_text(block) for block in re.findall(r'<ul class="findings">(.*?)</ul>', page, re.S)]
    assert any("feature necrosis" in f and "polarity absent" in f for f in findings), findings
    assert not [f for f in findings if "https://" in f]


def test_referenced_by_shows_labels_not_iris(client: FlaskClient) -> None:
    referenced = _section(_page(client, "/disease/infantile-fibrosarcoma"), "Referenced by")
    texts = re.findall(r"<a [^>]*>([^<]+)</a>", referenced)
    assert texts and not [t for t in texts if t.startswith(("http", "ntrkkg:"))], texts
    assert "infantile fibrosarcoma with canonical ETV6-NTRK3 fusion — treatment response" in texts


def test_mapping_provenance_is_readable(client: FlaskClient) -> None:
    external = _section(_page(client, "/disease/infantile-fibrosarcoma"), "External identifiers")
    text = _text(external)
    assert not re.search(r"@[0-9a-f]{40}", text), "raw commit hashes"
    assert "class-stats.tsv (monarch-initiative/mondo, version " in text
    assert re.search(
        r'href="https://github.com/monarch-initiative/mondo/blob/[0-9a-f]{40}/reports/class-stats.tsv"', external
    )


def test_statement_page_is_titled_and_folds_inferred_facts(client: FlaskClient) -> None:
    page = _page(client, "/statement/ifs-like-tumor/genetics/2")
    assert "<h1>IFS-like tumor with related kinase fusion — genetics (part 2 of 4)</h1>" in page
    assert "<title>IFS-like tumor with related kinase fusion — genetics (part 2 of 4) — ntrkkg</title>" in page
    properties = _section(page, "Properties")
    asserted, _, inferred = properties.partition('<details class="inferred">')
    assert inferred, "no inferred group"
    asserted_text, inferred_text = _text(asserted), _text(inferred)
    assert "reports fusion LMNA-NTRK1 fusion" in asserted_text and "cites reference" in asserted_text
    for super_property in ("is about", "has subject", "cites as evidence", "was quoted from", "references"):
        assert super_property not in asserted_text
        assert super_property in inferred_text
    assert asserted.count("rdf:type") == 1  # the asserted class only; the superclasses are folded
    # One label style: no snake_case, camelCase or capitalised vocabulary labels.
    for odd in ("has_subject", "wasQuotedFrom", "References", "Entity"):
        assert odd not in _text(page)


def test_cells_and_findings_are_named(client: FlaskClient) -> None:
    cell = _page(client, "/cell/ifs-canonical-etv6-ntrk3/genetics")
    assert "<h1>infantile fibrosarcoma with canonical ETV6-NTRK3 fusion — genetics (table cell)</h1>" in cell
    finding = _page(client, "/statement/ifs-canonical-etv6-ntrk3/immunohistochemistry/1/finding/1")
    assert "— immunohistochemistry (part 1 of 2), marker finding 1</h1>" in finding
    # Every kind of part is named: histological findings and outcomes too.
    histology = _page(client, "/statement/ifs-canonical-etv6-ntrk3/histology/1/finding/1")
    assert "— histology (part 1 of 2), histological finding 1</h1>" in histology
    outcome = _page(client, "/statement/ifs-like-tumor/prognosis/2/outcome/1")
    assert "<h1>IFS-like tumor with related kinase fusion — prognosis (part 2 of 2), clinical outcome 1</h1>" in outcome


@pytest.mark.parametrize(
    ("label", "tidy"),
    [
        ("has_subject", "has subject"),
        ("wasQuotedFrom", "was quoted from"),
        ("References", "references"),
        ("Bibliographic Citation", "bibliographic citation"),
        ("NTRK fusion", "NTRK fusion"),
        ("5′ partner", "5′ partner"),
    ],
)
def test_tidy_label(label: str, tidy: str) -> None:
    assert tidy_label(label) == tidy


def test_ontology_page(client: FlaskClient) -> None:
    page = _page(client, "/ontology")
    assert re.findall(r"<h1>(.*?)</h1>", page) == ["ntrkkg: the NTRK fusion-positive sarcoma ontology"]
    assert "<header>" in page and 'href="/sparql"' in page and 'href="/downloads/"' in page
    ids = Counter(re.findall(r'\bid="([^"]+)"', page))
    assert not [i for i, n in ids.items() if n > 1], "repeated anchors"
    for term in ("Gene", "Drug", "Disease", "ImmunohistochemicalMarker", "TreatmentResponse", "tumourType", "Positive"):
        assert term in ids, term


def test_every_ontology_link_of_every_entity_page_lands(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch, service: object
) -> None:
    from ntrkkg.web import entity

    monkeypatch.setattr(entity, "_picture", lambda iri, label: None)  # pictures link to entities only
    anchors = set(re.findall(r'\bid="([^"]+)"', _page(client, "/ontology")))
    subjects = client.get(
        "/sparql",
        query_string={
            "query": f"""SELECT DISTINCT ?s WHERE {{ GRAPH <{BASE}graph/asserted> {{ ?s ?p ?o }}
            FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{BASE}") && !STRSTARTS(STR(?s), "{BASE}ontology")) }}"""
        },
        headers={"Accept": "application/sparql-results+json"},
    )
    iris = [b["s"]["value"] for b in json.loads(subjects.data)["results"]["bindings"]]
    assert len(iris) > 300
    missing: dict[str, str] = {}
    for iri in iris:
        for fragment in re.findall(r'href="/ontology#([^"]+)"', _page(client, iri.removeprefix(BASE[:-1]))):
            if fragment not in anchors:
                missing.setdefault(fragment, iri)
    assert not missing, missing


@pytest.mark.parametrize(
    ("path", "heading"),
    [("/.well-known/void", "VoID description"), ("/.well-known/sparql-examples", "Example queries")],
)
def test_void_and_examples_have_a_page_for_browsers(client: FlaskClient, path: str, heading: str) -> None:
    for accept in (CHROME, "text/html"):
        page = _page(client, path, accept)
        assert f"<h1>{heading}" in page and "<header>" in page, accept
    for accept in ("text/turtle", "*/*"):
        response = client.get(path, headers={"Accept": accept})
        assert response.status_code == 200 and response.mimetype == "text/turtle", accept


def test_examples_page_lists_each_question(client: FlaskClient) -> None:
    page = _page(client, "/.well-known/sparql-examples")
    for example in examples(BASE):
        assert f"{example.comment}</h2>" in unescape(page), example.name
    assert page.count('href="/sparql?query=') == len(examples(BASE))  # each opens in the editor
    assert "NTRKKG_ALLOWED_SERVICES" in page  # the federated example says what it needs


def test_downloads_say_what_each_file_holds(client: FlaskClient, dist: Path) -> None:
    files = {f["name"]: f for f in json.loads(client.get("/downloads/", headers={"Accept": "application/json"}).data)}
    inferred = sorted(name for name, f in files.items() if f["inferred"])
    assert inferred and all(name.endswith((".nq", ".nq.gz")) for name in inferred)
    assert not files[next(n for n in files if n.endswith(".ttl") and n.startswith("ntrkkg-"))]["inferred"]
    page = _page(client, "/downloads/")
    assert re.search(r"Built \d{4}-\d\d-\d\d \d\d:\d\d UTC", page)
    assert "The <strong>inferred</strong> triples (the OWL-RL closure) are only in" in page
    nq = next(n for n in files if n.endswith(".nq"))
    assert f'<td class="size" title="{files[nq]["size"]} bytes">{human_size(files[nq]["size"])}</td>' in page
    assert not re.search(r"<td[^>]*>\d{4,}</td>", page), "raw byte counts"


@pytest.mark.parametrize(
    ("size", "text"), [(812, "812 bytes"), (60409, "60.4 kB"), (1155665, "1.2 MB"), (3_400_000_000, "3.4 GB")]
)
def test_human_size(size: int, text: str) -> None:
    assert human_size(size) == text


def test_favicon(client: FlaskClient) -> None:
    for path in ("/favicon.ico", "/static/favicon.svg"):
        response = client.get(path)
        assert response.status_code == 200 and response.mimetype == "image/svg+xml", path
        assert b"<svg" in response.data
    assert 'rel="icon"' in _page(client, "/")


def test_editor_lists_examples_by_question(client: FlaskClient) -> None:
    page = _page(client, "/sparql")
    data = _editor_data(page)
    every = examples(BASE)
    assert [e["question"] for e in data["examples"]] == [e.comment for e in every]
    for example in every:
        assert f">{example.comment}</button>" in unescape(page)
    assert data["default"]["id"] == "ntrk3-partner-genes"
    federated = [e for e in data["examples"] if e["needs"]]
    assert federated and all("federated" in e["id"] for e in federated)
    assert data["prefixes"]["ntrkkg"] == BASE + "ontology#" and "rdfs" in data["prefixes"]
    assert BASE + "ontology#Gene" in data["terms"]["class"]
    assert BASE + "ontology#threePrimePartner" in data["terms"]["property"]
    assert data["base"] == BASE and data["query"] is None


def test_query_link_in_a_browser_opens_the_editor(client: FlaskClient) -> None:
    query = "SELECT ?g WHERE { ?g a ntrkkg:Gene } LIMIT 2"
    browser = client.get("/sparql", query_string={"query": query}, headers={"Accept": CHROME})
    assert browser.status_code == 200 and browser.mimetype == "text/html"
    data = _editor_data(browser.get_data(as_text=True))
    assert data["query"] == query
    for accept in ("application/sparql-results+json", "*/*", "application/json, text/html;q=0.5"):
        machine = client.get("/sparql", query_string={"query": query}, headers={"Accept": accept})
        assert machine.status_code == 200 and machine.mimetype != "text/html", accept
        assert len(json.loads(machine.data)["results"]["bindings"]) == 2
    forced = client.get("/sparql", query_string={"query": query, "format": "json"}, headers={"Accept": CHROME})
    assert forced.mimetype != "text/html"
