"""The query guard: the exact SPARQL tokenizer, vetting, and canonical re-emission.

The real check of every bypass is behavioural: the canonical text is run by pyoxigraph on an empty store,
with a loopback listener as the hidden SERVICE target, and the listener must see no connection.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.collection import Collection
from rdflib.namespace import RDF

from conftest import Listener
from ntrkkg.sparql.lexer import IRIREF, KEYWORD, PNAME_LN, PNAME_NS, LexicalError, tokenize
from ntrkkg.sparql.vetting import (
    DEFAULT_MAX_DEPTH,
    DEFAULT_MAX_LENGTH,
    DEFAULT_MAX_SIZE,
    MAX_REPARSED_NESTING,
    QueryRejected,
    VettedQuery,
    vet,
)

W3C = Path(__file__).parent / "fixtures" / "w3c" / "sparql-syntax"  # copied unchanged, with its licence
BASE = "http://example.org/base/"


def run(text: str, base_iri: str | None = BASE) -> None:
    """Evaluate ``text`` on an empty store; a SyntaxError propagates, other failures do not."""
    try:
        result = ox.Store().query(text, base_iri=base_iri)
        if not isinstance(result, ox.QueryBoolean):
            for _ in result:
                pass
    except SyntaxError:
        raise
    except Exception:  # a failed SERVICE call, an unknown custom function: not what these tests check
        pass


def attempt(text: str, base_iri: str | None = BASE) -> None:
    """Evaluate ``text`` on an empty store, whatever happens."""
    with contextlib.suppress(SyntaxError):
        run(text, base_iri)


def vet_generous(query: str, allowed: frozenset[str] = frozenset()) -> VettedQuery:
    """Vet with limits that no test of the W3C suites reaches."""
    return vet(query, max_length=10**7, max_depth=10**5, max_size=10**7, allowed_services=allowed)


def keyword_targets(text: str) -> list[str]:
    """The tokens after each SERVICE keyword of ``text`` (SILENT skipped)."""
    tokens = tokenize(text)
    targets = []
    for i, token in enumerate(tokens):
        if token.kind == KEYWORD and token.value == "SERVICE":
            j = i + 2 if tokens[i + 1].value == "SILENT" else i + 1
            targets.append(tokens[j].value if tokens[j].kind == IRIREF else tokens[j].text)
    return targets


# --- the tokenizer ---------------------------------------------------------------------------------------


class TestLexer:
    def kinds(self, text: str) -> list[tuple[str, str]]:
        return [(t.kind, t.text) for t in tokenize(text)]

    def test_longest_match_prefixed_name_beats_keyword(self) -> None:
        assert self.kinds("SERVICE:x service") == [(PNAME_LN, "SERVICE:x"), (KEYWORD, "service")]
        assert tokenize("a:b a")[1].value == "a"

    def test_less_than_unless_a_whole_iriref_follows(self) -> None:
        assert [t.kind for t in tokenize("?a<?b&&?c>1")] == ["VAR1", IRIREF, "INTEGER"]
        assert [t.text for t in tokenize("?a < ?b")] == ["?a", "<", "?b"]
        assert [t.text for t in tokenize("?a<=?b")] == ["?a", "<=", "?b"]
        assert [t.text for t in tokenize("1<2)SERVICE<x>")] == ["1", "<", "2", ")", "SERVICE", "<x>"]

    def test_local_name_escapes_and_dots(self) -> None:
        tokens = tokenize(r"ex:a\' ex:a\# ex:a\. ex:a.b. ex:. ex:")
        assert [(t.text, t.local) for t in tokens] == [
            (r"ex:a\'", "a'"),
            (r"ex:a\#", "a#"),
            (r"ex:a\.", "a."),
            ("ex:a.b", "a.b"),
            (".", ""),
            ("ex:", ""),
            (".", ""),
            ("ex:", ""),
        ]
        assert tokens[-1].kind == PNAME_NS

    def test_numbers_and_signs(self) -> None:
        assert self.kinds("1+1 1.e5 .5 1. -2.5E-3") == [
            ("INTEGER", "1"),
            ("INTEGER", "+1"),
            ("DOUBLE", "1.e5"),
            ("DECIMAL", ".5"),
            ("INTEGER", "1"),
            ("PUNCT", "."),
            ("DOUBLE", "-2.5E-3"),
        ]

    def test_keywords_case_insensitive_but_a(self) -> None:
        assert [t.value for t in tokenize("select Distinct a")] == ["SELECT", "DISTINCT", "a"]
        with pytest.raises(LexicalError):
            tokenize("?s A ?o")

    def test_comment_ends_at_cr(self) -> None:
        tokens = tokenize("# a comment\rSERVICE")
        assert [(t.value, t.line) for t in tokens] == [("SERVICE", 2)]

    def test_nil_anon_and_strings(self) -> None:
        tokens = tokenize("( ) [\n] '''a\n''b''' \"\\t\\\"\"")
        assert [(t.kind, t.value) for t in tokens] == [
            ("NIL", "()"),
            ("ANON", "[]"),
            ("STRING_LITERAL_LONG1", "a\n''b"),
            ("STRING_LITERAL2", '\t"'),
        ]

    def test_codepoint_escapes_only_in_strings_and_iris(self) -> None:
        assert tokenize(r"<\u0078> '\U0001F46A'") and tokenize(r"'\u0041'")[0].value == "A"
        assert tokenize(r"<http://e/\u0041>")[0].value == "http://e/A"
        assert tokenize(r"'\u005Cu0041'")[0].value == "\\u0041"  # one pass: no second escape
        for text in (r"\u0053ELECT", r"ex:\u0041", r"?s ?p \u005cU00000031"):
            with pytest.raises(LexicalError):
                tokenize(text)

    @pytest.mark.parametrize(
        ("text", "line", "column", "reason"),
        [
            ("SELECT *\n{ ?s ?p 'abc\n}", 2, 9, "unterminated string"),
            ("SELECT * {\r\n  ?s ?p '''abc", 2, 9, "unterminated string"),
            ("SELECT * { ?s ?p '''a\\q''' }", 1, 22, "invalid escape"),
            ("SELECT * {\n\n  ?s ?p \\x }", 3, 9, "backslash"),
            ('SELECT * { ?s ?p "\\q" }', 1, 19, "invalid escape"),
            (r"SELECT * { ?s ?p '\uD800' }", 1, 19, "not a Unicode character"),
            (r"SELECT * { <http://e/\u0020> ?p ?o }", 1, 12, "may not contain"),
            ("SELECT * { ?s ?p ?o } foo", 1, 23, "unknown word"),
            ("SELECT $ {}", 1, 8, "variable"),
            ("SELECT * {\n ?s ?p '\ud800' }", 2, 9, "unpaired surrogate"),
        ],
    )
    def test_errors_name_line_and_column(self, text: str, line: int, column: int, reason: str) -> None:
        with pytest.raises(LexicalError) as caught:
            tokenize(text)
        assert (caught.value.line, caught.value.column) == (line, column)
        assert reason in caught.value.reason
        assert str(caught.value).startswith(f"line {line}, column {column}: ")


# --- bypasses --------------------------------------------------------------------------------------------

# Each trick hides "SERVICE <{url}>" (the loopback listener) from some reading of the query. The expectation
# says whether vet must refuse it ("refused") or accept it with no SERVICE at all ("accepted");
# ``raw_connects`` records whether pyoxigraph, given the client's string itself, would make the call.
TRICKS: dict[str, tuple[str, str, bool]] = {
    "escaped quote in a local name": (
        "PREFIX ex: <http://example.org/> SELECT * { { ?s ex:a\\' ?o } UNION { SERVICE <{url}> {} BIND('x' AS ?x) } }",
        "refused",
        True,
    ),
    "escaped hash in a local name": (
        "PREFIX ex: <http://example.org/> SELECT * { { ?s ex:a\\# ?o } UNION { SERVICE <{url}> { ?s ?p ?o } } }",
        "refused",
        True,
    ),
    "escaped dot in a local name": (
        "PREFIX ex: <http://example.org/> SELECT * { ?s ?p ex:a\\.SERVICE <{url}> { ?s ?p ?o } }",
        "accepted",  # one prefixed name, ex:a\\.SERVICE, then an IRI and a group: a syntax error
        False,
    ),
    "comment ended by a carriage return": (
        "SELECT * { { ?s ?p ?o } UNION { # a comment\rSERVICE <{url}> { ?s ?p ?o } } }",
        "refused",
        True,
    ),
    "\\u escapes forming SERVICE": ("SELECT * { \\u0053ERVICE <{url}> { ?s ?p ?o } }", "refused", False),
    "\\u escapes forming the IRI": ("SELECT * { SERVICE <\\u0068{rest}> { ?s ?p ?o } }", "refused", True),
    "\\u escape closing an IRI early": (
        "SELECT * { ?s <http://example.org/a\\u003E SERVICE <{url}> { } > ?o }",
        "refused",
        False,
    ),
    "less-than read as an IRI, comment hides the rest": (
        "SELECT * { BIND(1 AS ?x) FILTER(?x <?a)SERVICE#>\n<{url}> { ?s ?p ?o } }",
        "refused",
        True,
    ),
    "less-than then an IRI with a quote": (
        "SELECT * { BIND(1 AS ?x) FILTER(?x <a'>) ?s ?p \"' SERVICE <{url}> { } #\" }",
        "refused",
        False,
    ),
    "less-than before a SERVICE": ("SELECT * { FILTER(1<2)SERVICE<{url}>{ ?s ?p ?o } }", "refused", True),
    "empty local name before a dot": (
        "PREFIX ex: <http://example.org/> SELECT * { ?s ?p ex:.SERVICE <{url}> {} }",
        "refused",
        True,
    ),
    "SERVICE SILENT": ("SELECT * { SERVICE SILENT <{url}> { ?s ?p ?o } }", "refused", True),
    "lower-case service": ("select * where { service <{url}> { ?s ?p ?o } }", "refused", True),
    "SERVICE with a variable": ("SELECT * { BIND(<{url}> AS ?u) SERVICE ?u { ?s ?p ?o } }", "refused", False),
    "SERVICE via a prefixed name": (
        "PREFIX lb: <{url}> SELECT * { SERVICE lb:sparql { ?s ?p ?o } }",
        "refused",
        True,
    ),
    "SERVICE via an empty local name": ("PREFIX lb: <{url}> SELECT * { SERVICE lb: { ?s ?p ?o } }", "refused", True),
    "SERVICE with a relative IRI and BASE": (
        "BASE <{url}> SELECT * { SERVICE <sparql> { ?s ?p ?o } }",
        "refused",
        True,
    ),
    "SERVICE with a relative IRI, no BASE": ("SELECT * { SERVICE <sparql> { ?s ?p ?o } }", "refused", False),
    "SERVICE inside a string": ('SELECT * { ?s ?p "SERVICE <{url}> { ?s ?p ?o }" }', "accepted", False),
    "SERVICE inside a long string": (
        "SELECT * { ?s ?p '''\nSERVICE <{url}> { ?s ?p ?o }\n''' }",
        "accepted",
        False,
    ),
    "SERVICE inside a comment": ("SELECT * { ?s ?p ?o # SERVICE <{url}> { ?s ?p ?o }\n}", "accepted", False),
    "SERVICE inside an IRI": ("SELECT * { ?s <http://example.org/SERVICE> ?o }", "accepted", False),
    "SERVICE as a prefix": (
        "PREFIX SERVICE: <{url}> SELECT * { ?s SERVICE:x ?o }",
        "accepted",
        False,
    ),
}


class TestBypass:
    @pytest.mark.parametrize("name", list(TRICKS))
    def test_hidden_service_makes_no_connection(self, name: str, listener: Listener) -> None:
        template, expected, raw_connects = TRICKS[name]
        rest = listener.url[1:]  # for the \u0068 (h) trick
        query = template.replace("{url}", listener.url).replace("{rest}", rest)
        try:
            vetted = vet(query)
        except QueryRejected:
            assert expected == "refused", f"{name}: refused, expected {expected}"
        else:
            assert expected == "accepted", f"{name}: accepted, expected {expected}"
            assert vetted.services == ()
            assert keyword_targets(vetted.text) == []
            attempt(vetted.text)
        assert listener.connections == 0
        if raw_connects:  # the trick is live: pyoxigraph, given the client's string, does call the listener
            attempt(query, base_iri=None)
            assert listener.connections > 0

    def test_allow_listed_service_is_kept_absolute(self, listener: Listener) -> None:
        target = listener.url + "sparql"
        vetted = vet(
            f"BASE <{listener.url}> SELECT * {{ SERVICE SILENT <sparql> {{ ?s ?p ?o }} }}", allowed_services={target}
        )
        assert vetted.services == (target,)
        assert keyword_targets(vetted.text) == [target]
        assert not vetted.deterministic  # remote answers are not cached
        with pytest.raises(QueryRejected, match="not allow-listed"):
            vet(f"SELECT * {{ SERVICE <{listener.url}other> {{}} }}", allowed_services={target})

    def test_refusal_names_every_target(self) -> None:
        with pytest.raises(QueryRejected) as caught:
            vet("PREFIX e: <http://evil.example/> SELECT * { SERVICE e:a {} SERVICE ?v {} SERVICE <rel> {} }")
        message = str(caught.value)
        assert message.startswith("SERVICE is disabled on this endpoint")
        for part in ("<http://evil.example/a>", "?v (a variable)", "<rel> (a relative IRI"):
            assert part in message

    def test_strings_that_would_read_as_escapes_are_refused(self) -> None:
        with pytest.raises(QueryRejected, match="line 1, column 18: a string with a backslash"):
            vet("SELECT * { ?s ?p '\\\\u0041' }")
        assert "\\" in vet('SELECT * { ?s ?p "a\\\\b" }').text

    def test_canonical_text_is_a_fixed_point(self) -> None:
        query = (
            "PREFIX ex: <http://example.org/ns#>\nSELECT ?s (STR(?o) AS ?t) # comment\r\n"
            'WHERE { ?s ex:p\\/q """x\ny"""@en , \'it\\\'s\' ; a ex:C . FILTER(?o IN (ex:a, 1.5e3)) }'
        )
        once = vet(query).text
        assert vet(once).text == once
        assert "#" not in once.replace("ns#", "")
        assert "<http://example.org/ns#p/q>" in once


# --- the W3C syntax suites -------------------------------------------------------------------------------

MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")


def w3c_tests() -> list[tuple[str, str, Path]]:
    """(kind, suite/name, file) of every test in the manifests."""
    tests = []
    for manifest in sorted(W3C.glob("*/manifest.ttl")):
        graph = rdflib.Graph().parse(manifest, format="turtle")
        for entries in graph.objects(None, MF.entries):
            for test in Collection(graph, entries):
                kind = str(graph.value(test, RDF.type)).rsplit("#", 1)[1]
                action = str(graph.value(test, MF.action))
                path = Path(action.removeprefix("file://"))
                tests.append((kind, f"{manifest.parent.name}/{path.name}", path))
    return tests


W3C_TESTS = w3c_tests() if W3C.exists() else []
# The suites hold 350 tests: 215 positive query tests (149 SPARQL 1.0, 66 SPARQL 1.1 of which 3 use SERVICE),
# 81 negative query tests (50 + 31), 41 positive and 13 negative update tests.
W3C_COUNTS = {
    "PositiveSyntaxTest": 149,
    "PositiveSyntaxTest11": 66,
    "NegativeSyntaxTest": 50,
    "NegativeSyntaxTest11": 31,
    "PositiveUpdateSyntaxTest11": 41,
    "NegativeUpdateSyntaxTest11": 13,
}


def w3c(*kinds: str) -> list[Any]:
    return [pytest.param(path, id=name) for kind, name, path in W3C_TESTS if kind in kinds]


@pytest.mark.skipif(not W3C_TESTS, reason="the W3C syntax suites are not in tests/fixtures/w3c")
class TestW3C:
    def test_counts(self) -> None:
        counts: dict[str, int] = {}
        for kind, _, _ in W3C_TESTS:
            counts[kind] = counts.get(kind, 0) + 1
        assert counts == W3C_COUNTS

    @pytest.mark.parametrize("path", w3c("PositiveSyntaxTest", "PositiveSyntaxTest11"))
    def test_positive_query_accepted_and_canonical_text_parses(self, path: Path, listener: Listener) -> None:
        query = path.read_text(encoding="utf-8")
        if path.parent.name == "sparql11-syntax-fed":
            # Its SERVICE targets are relative: with the listener as BASE they point at it.
            with pytest.raises(QueryRejected, match="not allow-listed"):
                vet_generous(query)
            query = f"BASE <{listener.url}>\n" + query
            with pytest.raises(QueryRejected, match="not allow-listed"):
                vet_generous(query)
            assert listener.connections == 0
            vetted = vet_generous(query, frozenset({listener.url + "g"}))
            assert vetted.services == (listener.url + "g",)
        else:
            vetted = vet_generous(query)
            assert vetted.services == ()
        run(vetted.text)  # raises SyntaxError if pyoxigraph cannot parse the canonical text

    @pytest.mark.parametrize("path", w3c("NegativeSyntaxTest", "NegativeSyntaxTest11"))
    def test_negative_query_refused(self, path: Path) -> None:
        try:
            vetted = vet_generous(path.read_text(encoding="utf-8"))
        except QueryRejected:
            return
        with pytest.raises(SyntaxError):
            ox.Store().query(vetted.text, base_iri=BASE)

    @pytest.mark.parametrize("path", w3c("PositiveUpdateSyntaxTest11", "NegativeUpdateSyntaxTest11"))
    def test_update_refused(self, path: Path) -> None:
        with pytest.raises(QueryRejected):
            vet_generous(path.read_text(encoding="utf-8"))


# --- queries that crash the engine -----------------------------------------------------------------------

P = "PREFIX : <http://example.org/> "


def where(body: str) -> str:
    return P + "SELECT * WHERE { " + body + " }"


# Shapes that crash pyoxigraph 0.5 (stack overflow) or take it very long, as a function of a count.
SHAPES: dict[str, Callable[[int], str]] = {
    "nested groups": lambda n: P + "SELECT * WHERE " + "{" * n + "}" * n,
    "nested OPTIONAL": lambda n: where("OPTIONAL { " * n + "?s :p ?o" + " }" * n),
    "nested subqueries": lambda n: where("{ SELECT * WHERE " * n + "{ ?s :p ?o }" + " }" * n),
    "nested FILTER EXISTS": lambda n: where("FILTER EXISTS { " * n + "?s :p ?o" + " }" * n),
    "nested aggregates": lambda n: P + "SELECT (" + "SUM(" * n + "1" + ")" * n + " AS ?x) WHERE {}",
    "nested STR": lambda n: where("FILTER(" + "STR(" * n + "1" + ")" * n + ")"),
    "nested parentheses": lambda n: where("FILTER(" + "(" * n + "1" + ")" * n + ")"),
    "OPTIONALs in a row": lambda n: where("?s :p ?o " + "OPTIONAL { ?s :p ?o } " * n),
    "collection": lambda n: where("?s :p (" + " 1" * n + " )"),
    "1+1+...": lambda n: where("FILTER(" + "+".join(["1"] * n) + ")"),
    "1-1-...": lambda n: where("FILTER(" + "-".join(["1"] * n) + ")"),
    "1*1*...": lambda n: where("FILTER(" + "*".join(["1"] * n) + ")"),
    "!!!...": lambda n: where("FILTER(" + "!" * n + "true)"),
    "&&": lambda n: where("FILTER(" + "&&".join(["true"] * n) + ")"),
    "{}UNION{}...": lambda n: where("UNION".join(["{}"] * n)),
    "FILTER(1) repeated": lambda n: where("FILTER(1) " * n),
    "BINDs in a row": lambda n: where(" ".join(f"BIND(1 AS ?b{i})" for i in range(n))),
    "MINUS in a row": lambda n: where("?s :p ?o " + "MINUS { ?s :p ?o } " * n),
    "p/p/... path": lambda n: where("?s " + "/".join([":p"] * n) + " ?o"),
    "p|p|... path": lambda n: where("?s " + "|".join([":p"] * n) + " ?o"),
    "triple patterns": lambda n: where(" ".join(f"?s :p ?o{i} ." for i in range(n))),
    "nested REGEX": lambda n: where("FILTER(" + "REGEX(" * n + '"a"' + ',"a")' * n + ")"),
}
# Counts that make each shape 10-70 kB.
BIG = {
    "nested groups": 5_000,
    "nested OPTIONAL": 2_000,
    "nested subqueries": 1_000,
    "nested FILTER EXISTS": 1_000,
    "nested aggregates": 2_000,
    "nested STR": 2_000,
    "nested parentheses": 10_000,
    "OPTIONALs in a row": 2_000,
    "collection": 10_000,
    "1+1+...": 10_000,
    "1-1-...": 10_000,
    "1*1*...": 10_000,
    "!!!...": 10_000,
    "&&": 5_000,
    "{}UNION{}...": 5_000,
    "FILTER(1) repeated": 6_000,
    "BINDs in a row": 2_000,
    "MINUS in a row": 2_000,
    "p/p/... path": 10_000,
    "p|p|... path": 10_000,
    "triple patterns": 4_000,
    "nested REGEX": 1_000,
}
# Shapes that stay well inside the limits yet are slow (join planning grows with the cube of the triple
# patterns of a group): not run below, where only crashes are looked for.
SLOW = {"OPTIONALs in a row", "collection", "p/p/... path", "triple patterns", "FILTER(1) repeated"}

CHILD = """
import sys, threading, pyoxigraph as ox
query = sys.stdin.read()
def evaluate(store):
    try:
        result = store.query(query)
        if not isinstance(result, ox.QueryBoolean):
            for _ in result:
                pass
    except Exception as error:
        print(type(error).__name__, error)
def both():
    evaluate(ox.Store())  # empty, as calibrated
    store = ox.Store()  # and with a few matching triples, so that evaluation goes further
    s, p = ox.NamedNode("http://example.org/s"), ox.NamedNode("http://example.org/p")
    for i in range(3):
        o = ox.NamedNode(f"http://example.org/o{i}")
        store.add(ox.Quad(s, p, o))
        store.add(ox.Quad(o, p, s))
    evaluate(store)
# In a thread, with the default stack, as in an engine forked from a request thread.
thread = threading.Thread(target=both)
thread.start()
thread.join()
print("done")
"""


def largest_accepted(shape: Callable[[int], str]) -> int:
    """The largest count that vet accepts with the default limits."""
    low, high = 1, 2
    while _accepted(shape(high)):
        low, high = high, high * 2
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (middle, high) if _accepted(shape(middle)) else (low, middle)
    return low


def _accepted(query: str) -> bool:
    try:
        vet(query)
    except QueryRejected:
        return False
    return True


def evaluate_in_child(query: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", CHILD], input=query, capture_output=True, text=True, timeout=timeout)


class TestCrashShapes:
    @pytest.mark.parametrize("name", list(SHAPES))
    def test_big_shape_refused_with_a_clear_message(self, name: str) -> None:
        query = SHAPES[name](BIG[name])
        assert 10_000 <= len(query) <= 70_000, len(query)
        with pytest.raises(QueryRejected) as caught:
            vet(query)
        assert any(
            words in str(caught.value)
            for words in (
                f"levels deep; the limit is {DEFAULT_MAX_DEPTH}",
                f"not counting VALUES data); the limit is {DEFAULT_MAX_SIZE:,}",
                f"calls more than {MAX_REPARSED_NESTING} deep",
            )
        ), str(caught.value)

    @pytest.mark.parametrize("name", [name for name in SHAPES if name not in SLOW])
    def test_largest_accepted_shape_does_not_crash(self, name: str) -> None:
        query = SHAPES[name](largest_accepted(SHAPES[name]))
        started = time.monotonic()
        child = evaluate_in_child(query)
        assert child.returncode == 0 and "done" in child.stdout, (child.returncode, child.stderr[-300:])
        assert time.monotonic() - started < 5

    def test_both_limits_at_once_do_not_crash(self) -> None:
        levels = DEFAULT_MAX_DEPTH - 2  # and two more brackets: '{ FILTER(' inside
        head = P + "SELECT * WHERE " + "{ FILTER EXISTS " * levels
        tail = " }" * levels
        spare = DEFAULT_MAX_SIZE - vet(head + "{ FILTER(1) }" + tail).size
        query = head + "{ FILTER(" + "+".join(["1"] * (spare + 1)) + ") }" + tail
        vetted = vet(query)
        assert (vetted.size, vetted.depth) == (DEFAULT_MAX_SIZE, DEFAULT_MAX_DEPTH)
        child = evaluate_in_child(query)
        assert child.returncode == 0 and "done" in child.stdout, (child.returncode, child.stderr[-300:])

    def test_ordinary_large_queries_pass(self) -> None:
        values = where("VALUES ?x { " + " ".join(f"<http://example.org/item/{i}>" for i in range(2_000)) + " }")
        triples = where(" ".join(f"?v{i} :p{i % 7} ?v{i + 1} ." for i in range(300)))
        optionals = where("?s :p ?o " + " ".join(f"OPTIONAL {{ ?s :q{i} ?o{i} }}" for i in range(50)))
        unions = where(" UNION ".join(f"{{ ?s :p{i} ?o }}" for i in range(20)))
        for query in (values, triples, optionals, unions):
            vet(query)

    def test_values_data_is_not_counted(self) -> None:
        small = vet(where("VALUES ?x { <http://example.org/a> }"))
        large = vet(where("VALUES (?x ?y) { " + "(<http://example.org/a> 1) " * 3_000 + "}"))
        assert large.size == small.size + 3  # the ( ?x ?y ) of the longer header, for ?x

    def test_limits_are_named(self) -> None:
        with pytest.raises(QueryRejected, match=r"^the query is 12 characters long; the limit is 10$"):
            vet("SELECT * {} ", max_length=10)
        with pytest.raises(QueryRejected, match=r"^the query nests 3 levels deep; the limit is 2$"):
            vet("SELECT * { { {} } }", max_depth=2)
        with pytest.raises(QueryRejected, match=r"^the query has 6 tokens .*; the limit is 5$"):
            vet("SELECT * { { } }", max_size=5)

    def test_defaults(self) -> None:
        assert (DEFAULT_MAX_LENGTH, DEFAULT_MAX_DEPTH, DEFAULT_MAX_SIZE) == (100_000, 200, 1_500)


# --- speed -----------------------------------------------------------------------------------------------

N = 100_000
PATHOLOGICAL = {
    "escaped quotes in a string": 'SELECT * { ?s ?p "' + '\\"' * (N // 2) + '" }',
    "escaped quotes outside a string": '\\"' * (N // 2),
    "escaped quotes, unterminated": 'SELECT * { ?s ?p "' + '\\"' * (N // 2),
    "quotes in a long string, unterminated": "SELECT * { ?s ?p '''" + "'' " * (N // 3),
    "many '<' without '>'": "<a" * (N // 2),
    "less-than chain": "SELECT * { FILTER(" + "1 < " * (N // 4) + "1) }",
    "brackets": "SELECT * " + "{" * (N // 2) + "}" * (N // 2),
    "dots in a local name": "PREFIX ex: <http://e/> SELECT * { ?s ex:" + "a." * (N // 2) + " ?o }",
    "escaped dots in a local name": "PREFIX ex: <http://e/> SELECT * { ?s ex:" + "\\." * (N // 2) + " ?o }",
    "comments ended by CR": "#\r" * (N // 2) + "SELECT * {}",
    "keywords glued together": "SELECT " + "SELECT" * (N // 6),
    "a long IRI of escapes": "SELECT * { ?s <http://e/" + "\\u0041" * (N // 6) + "> ?o }",
    "1+1+...": "SELECT * { FILTER(" + "+".join(["1"] * (N // 2)) + ") }",
    "a long variable": "SELECT ?" + "a" * N + " {}",
    "dots after a blank node label": "SELECT * { _:" + "a." * (N // 2) + " ?p ?o }",
    "a long language tag": "SELECT * { ?s ?p 'a'@" + "a-" * (N // 2) + " }",
    "quotes in a long string": 'SELECT * { ?s ?p """' + 'a"' * (N // 2) + '""" }',
    "VALUES": "SELECT * { VALUES ?x { " + "<http://e/a> " * (N // 13) + "} }",
}


class TestPerformance:
    @pytest.mark.parametrize("name", list(PATHOLOGICAL))
    def test_pathological_input_is_vetted_fast(self, name: str) -> None:
        query = PATHOLOGICAL[name]
        assert len(query) >= N * 0.95
        started = time.perf_counter()
        with contextlib.suppress(QueryRejected):
            vet(query, max_length=2 * N)
        assert time.perf_counter() - started < 1.0  # a regression guard; it takes well under 0.5 s

    def test_short_queries_are_remembered(self) -> None:
        query = "SELECT * { ?s ?p ?o } LIMIT 7"
        assert vet(query) is vet(query)
        assert vet(query) is not vet(query, max_size=1_000)


# --- what vetting reports --------------------------------------------------------------------------------


class TestReport:
    @pytest.mark.parametrize(
        ("query", "form"),
        [
            ("SELECT * {}", "SELECT"),
            ("PREFIX ex: <http://e/> BASE <http://b/> ask {}", "ASK"),
            ("CONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT"),
            ("describe <http://e/x>", "DESCRIBE"),
        ],
    )
    def test_form(self, query: str, form: str) -> None:
        assert vet(query).form == form

    @pytest.mark.parametrize(
        "query",
        [
            "INSERT DATA { <a> <b> <c> }",
            "PREFIX : <http://e/> DELETE WHERE { ?s ?p ?o }",
            "SELECT * {} ; LOAD <http://e/>",
            "CLEAR ALL",
            "WITH <g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
            "select * { ?s ?p ?o } # fine\n drop default",
        ],
    )
    def test_updates_refused(self, query: str) -> None:
        with pytest.raises(QueryRejected, match=r"^updates are not accepted: this endpoint is read-only$"):
            vet(query)

    @pytest.mark.parametrize(
        ("query", "message"),
        [
            ("", "the query is empty"),
            ("  # only a comment\n", "the query is empty"),
            ("PREFIX ex: <http://e/>", "the query has no SELECT, CONSTRUCT, DESCRIBE or ASK"),
            (
                "PREFIX ex: <http://e/>\n\n  ?s ?p ?o",
                "line 3, column 3: expected SELECT, CONSTRUCT, DESCRIBE or ASK, found '?s'",
            ),
            ("PREFIX ex:a <http://e/> SELECT * {}", "line 1, column 1: PREFIX must be followed by"),
            ("SELECT * {\n  ?s ?p ?o )", "line 2, column 12: ')' does not match '{' opened at line 1, column 10"),
            ("SELECT * {\n  ?s ?p ?o", "line 1, column 10: '{' is never closed"),
            ("SELECT * {\n  ?s ex:p ?o }", "line 2, column 6: prefix 'ex:' is not declared; add PREFIX ex: <...>"),
            ("SELECT * {\n\n FILTER(?x <http://e/>) }", "line 3, column 12: the IRI '<http://e/>' directly follows"),
            ("SELECT * {\n\n ?s ?p 'x\n }", "line 3, column 8: unterminated string"),
        ],
    )
    def test_errors(self, query: str, message: str) -> None:
        with pytest.raises(QueryRejected) as caught:
            vet(query)
        assert str(caught.value).startswith(message), str(caught.value)

    @pytest.mark.parametrize(
        "query",
        [
            'PREFIX ex: <http://e/>\n# a comment\r\nSELECT * WHERE {\n  ?s ex:p """a\nb""" .\n  ?s ?p ?o ?o\n}',
            "SELECT *\nWHERE {\n  ?s ?p ?o .\n  FILTER(?o > )\n}",
            "ASK {\n# ?s ?p ?o\n\n  ?s ?p ?o OPTIONAL\n}",
        ],
    )
    def test_engine_line_numbers_match_the_clients(self, query: str) -> None:
        vetted = vet(query)
        errors = []
        for text in (query, vetted.text):
            with pytest.raises(SyntaxError) as caught:
                ox.Store().query(text)
            errors.append(str(caught.value).split(":")[0])  # "error at LINE"
        assert errors[0] == errors[1]

    @pytest.mark.parametrize("call", ["NOW()", "RAND()", "UUID()", "STRUUID()", "BNODE()", 'bnode("x")'])
    def test_nondeterministic_calls(self, call: str) -> None:
        assert not vet(f"SELECT ({call} AS ?x) {{}}").deterministic

    def test_deterministic(self) -> None:
        vetted = vet("SELECT ?now { ?s <http://e/NOW> 'RAND()' . BIND(1 AS ?now) }")
        assert vetted.deterministic

    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            ("SELECT * FROM <http://e/g> { ?s ?p ?o }", True),
            ("SELECT * FROM NAMED <http://e/g> { GRAPH ?g { ?s ?p ?o } }", True),
            ("SELECT * { GRAPH <http://e/g> { ?s <http://e/from> 'FROM' } }", False),
        ],
    )
    def test_dataset_clause(self, query: str, expected: bool) -> None:
        assert vet(query).has_dataset_clause is expected

    def test_predeclared_prefixes(self) -> None:
        prefixes = {"rdfs": "http://www.w3.org/2000/01/rdf-schema#", "ex:": "http://e/"}
        vetted = vet("SELECT * { ?s rdfs:label ?l ; ex:p ex: }", prefixes=prefixes)
        assert "<http://www.w3.org/2000/01/rdf-schema#label>" in vetted.text
        assert "<http://e/p> <http://e/>" in vetted.text
        overridden = vet("PREFIX ex: <http://other/> SELECT * { ?s ex:p ?o }", prefixes=prefixes)
        assert "<http://other/p>" in overridden.text
        with pytest.raises(QueryRejected, match="prefix 'rdfs:' is not declared"):
            vet("SELECT * { ?s rdfs:label ?l }")

    @pytest.mark.parametrize(
        ("query", "first_line"),
        [
            ("SELEC * { ?s ?p ?o }", "line 1, column 1: unknown keyword 'SELEC'; did you mean SELECT?"),
            ("CONSTRUC { } WHERE {}", "line 1, column 1: unknown keyword 'CONSTRUC'; did you mean CONSTRUCT?"),
            ("SELECT * WHERE { ?s ?p ?o } LIMT 5", "line 1, column 29: unknown keyword 'LIMT'; did you mean LIMIT?"),
            (
                "SELECT * { ?s ?p ?o } zzz",
                "line 1, column 23: unknown keyword 'zzz' (a keyword, or a prefixed name such as rdfs:label)",
            ),
        ],
    )
    def test_unknown_words_suggest_the_keyword(self, query: str, first_line: str) -> None:
        with pytest.raises(QueryRejected) as caught:
            vet(query)
        assert str(caught.value).splitlines()[0] == first_line

    def test_refusals_show_the_line_and_a_caret(self) -> None:
        with pytest.raises(QueryRejected) as caught:
            vet("PREFIX ex: <http://e/>\nSELECT * {\n\t?s ex:p ?o ) }")
        message = str(caught.value)
        assert message.splitlines()[1:] == ["   ?s ex:p ?o ) }", "              ^"]
        assert (caught.value.line, caught.value.column) == (3, 13)

    def test_long_lines_are_cut_around_the_place(self) -> None:
        query = "SELECT * { " + "?s ?p ?o . " * 30 + "?s foo:p ?o }"
        with pytest.raises(QueryRejected) as caught:
            vet(query)
        shown, caret = str(caught.value).splitlines()[1:]
        assert len(shown) < 110 and shown[caret.index("^") :].startswith("foo:p")

    def test_undeclared_known_prefix_is_told_its_iri(self) -> None:
        known = {"MONDO": "http://purl.obolibrary.org/obo/MONDO_"}
        for written in ("MONDO", "mondo"):
            with pytest.raises(QueryRejected) as caught:
                vet(f"SELECT * {{ ?s ?p {written}:0005164 }}", known_prefixes=known)
            assert f"add PREFIX {written}: <http://purl.obolibrary.org/obo/MONDO_>" in str(caught.value)
            assert caught.value.prefix == written
        with pytest.raises(QueryRejected, match=r"add PREFIX zz: <\.\.\.>\n"):
            vet("SELECT * { ?s ?p zz:1 }", known_prefixes=known)

    def test_predeclared_prefixes_must_be_well_formed(self) -> None:
        for name, iri in (("ex x", "http://e/"), ("ex", "http://e/> SERVICE <http://evil/"), ("ex", "\\u0041")):
            with pytest.raises(ValueError):
                vet("SELECT * {}", prefixes={name: iri})

    def test_result_fields(self) -> None:
        vetted = vet("SELECT * { ?s ?p ?o }")
        assert vetted == VettedQuery("SELECT * { ?s ?p ?o }", "SELECT", (), False, 1, 7, True)


def test_a_call_written_with_a_space_before_its_bracket_still_runs() -> None:
    """SPARQL allows ``CONCAT ("a")``; Oxigraph refuses some calls so written, so vetting re-emits ``CONCAT(``."""
    from ntrkkg.sparql.lexer import KEYWORDS

    store = ox.Store()

    def runs(query: str) -> bool:
        try:
            store.query(query)
        except SyntaxError:
            return False
        return True

    calls = 0
    for keyword in sorted(KEYWORDS):
        for args in ("()", "(1)", "(1, 2)", '("a", "b", "c")', "(?x)", "(*)", "(DISTINCT ?x)"):
            spaced = f"SELECT (({keyword} {args}) AS ?y) WHERE {{ BIND(1 AS ?x) }} GROUP BY ?x"
            if runs(spaced.replace(f"{keyword} (", f"{keyword}(")):
                calls += 1
                assert runs(vet(spaced).text), spaced
    assert calls > 50  # the built-in calls and aggregates, with some argument list that fits each
