"""The ontology page rendered by pyLODE at build time: one heading, unique anchors, one per term."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from rdflib import Graph

from ntrkkg.outputs.ontology_docs import anchors, ontology_page, tidy_page
from ntrkkg.resources import resource_dir


def test_tidy_page_keeps_one_title_and_unique_ids() -> None:
    page = (
        "<h1>A titleA label</h1><dd><ul><li><p>A title</p></li>\n<li><p>A label</p></li></ul></dd>"
        '<div id="x"></div><div id="x"></div><div id="y"></div><div id="x"></div>'
    )
    tidy = tidy_page(page, "A title", "A label")
    assert re.findall(r"<h1>(.*?)</h1>", tidy) == ["A title"]
    assert "<li><p>A label</p></li>" not in tidy and "<li><p>A title</p></li>" in tidy
    assert re.findall(r'id="([^"]+)"', tidy) == ["x", "x-2", "y", "x-3"]


def test_every_term_has_its_local_name_as_anchor() -> None:
    pytest.importorskip("pylode", reason="pyLODE is the docs extra")
    page = ontology_page()
    assert page is not None
    ids = Counter(re.findall(r'\bid="([^"]+)"', page))
    assert not [i for i, n in ids.items() if n > 1]
    graph = Graph().parse(resource_dir("ontology") / "ntrkkg.ttl", format="turtle")
    terms = anchors(graph)
    assert {"Gene", "Drug", "Disease", "TumourType", "tumourType", "Positive", "Histology"} <= set(terms.values())
    assert not [fid for fid in terms.values() if fid not in ids]
    assert len(re.findall(r"<h1>", page)) == 1
