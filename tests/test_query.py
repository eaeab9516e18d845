"""Named queries and their parameters (kg/query.py, kg/queries/*.rq): headers, typing, binding
(never pasting: injection), the same rows from both stores, syntax errors and output formats."""
from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.plugins.sparql import prepareQuery

from conftest import GOLD, ROOT
from kg import query
from kg.errors import PolicyKGError
from kg.store import prologue
from kg.vocab import PKG, REG, THEME

NASTY = ['"} UNION { ?s ?p ?o } #', "'; DROP ALL ; #", "}\nSELECT * WHERE { ?s ?p ?o }", 'a"b\'c',
         "x\\\" } FILTER(true) #", "# not a comment", "line\nbreak\r\n\ttab", "} LIMIT 1 {", "?s ?p ?o .",
         "<https://w3id.org/policykg/theme/pay-after-use>", "OPTIONAL { ?m ?p ?o }", "\u202e厦门\u0000", ""]


@pytest.fixture(scope="module")
def gold_graph():
    from kg.goldjson import from_gold
    from kg.rdf import to_graph
    return to_graph([from_gold(json.loads(p.read_text(encoding="utf-8"))) for p in sorted(GOLD.glob("*.json"))])


def _stores(graph: Graph, tmp_path) -> dict:
    from kg.rdf import ntriples
    from kg.store.memory import MemoryStore
    from kg.store.oxigraph import OxigraphStore
    nt = tmp_path / "graph.nt"
    nt.write_text(ntriples(graph), encoding="utf-8")
    ox = OxigraphStore()
    ox.load_ntriples(nt)
    return {"memory": MemoryStore(graph), "oxigraph": ox}


@pytest.fixture(scope="module")
def stores(gold_graph, tmp_path_factory):
    return _stores(gold_graph, tmp_path_factory.mktemp("gold"))


# ------------------------------------------------------------------ the named queries themselves

def test_every_named_query_declares_itself():
    queries = query.named_queries()
    assert {"theme-by-region", "region-themes", "theme-matrix", "amounts", "measure", "regions",
            "themes"} <= set(queries)
    for name, q in queries.items():
        assert q.origin == f"--name {name}" and (query.QUERY_DIR / f"{name}.rq").exists()
        assert q.description and len(q.description) < 200
        for p in q.params:
            assert p.type in query.PARAM_TYPES


@pytest.mark.parametrize("name", sorted(query.named_queries()))
def test_parameters_are_projected_and_markers_declared(name):
    """Bindings mean the same on every store only if each parameter is projected (Oxigraph
    refuses to substitute others; a VALUES block joins on the solutions)."""
    q = query.named_queries()[name]
    projected = {str(v) for v in prepareQuery(prologue() + q.text).algebra["PV"]}
    for p in q.params:
        assert p.name in projected, f"{name}: ?{p.name} is not projected"
    for line in q.text.splitlines():
        m = query._OPTIONAL_LINE.search(line)
        if m:
            assert q.param(m.group(1)) and q.param(m.group(1)).optional, f"{name}: marker #? {m.group(1)}"


def _normal(records: list[dict]) -> list[str]:
    """Rows comparable across stores: GROUP_CONCAT order is unspecified and an empty one may come
    back as "" or unbound."""
    out = []
    for r in records:
        row = {}
        for k, v in r.items():
            if isinstance(v, str) and (" " in v or "|" in v) and k in ("themes", "beneficiaries", "evidence"):
                v = sorted(x.strip() for x in v.replace("|", " ").split())
            row[k] = v if v != "" else None
        out.append(json.dumps(row, sort_keys=True, ensure_ascii=False))
    return sorted(out)


SAMPLE_PARAMS = {"theme-by-region": {"theme": "赋权改革"}, "theme-evidence": {"theme": "pay-after-use"},
                 "region-themes": {"region": "威海"}, "region-measures": {"region": "Zhuhai"},
                 "measure": {"measure": "id:measure/004_46d0cb6fe9d9ebe8/zhuhai/7"},
                 "measure-facts": {"measure": "id:measure/004_46d0cb6fe9d9ebe8/zhuhai/7"},
                 "amounts": {"theme": "产学研合作", "kind": "cap"}, "theme-matrix": {"region": "重庆"},
                 "theme-coverage-amounts": {"theme": "产学研合作"}}


DEFAULT_BY_TYPE = {"theme": "pay-after-use", "region": "威海", "beneficiary": "企业",
                   "iri": "id:measure/004_46d0cb6fe9d9ebe8/zhuhai/7"}


@pytest.mark.parametrize("name", sorted(query.named_queries()))
def test_named_queries_answer_the_same_on_both_stores(stores, name):
    q = query.get(name)
    params = SAMPLE_PARAMS.get(name) or {p.name: DEFAULT_BY_TYPE[p.type] for p in q.params if not p.optional}
    mem = query.run_named(stores["memory"], name, params)
    ox = query.run_named(stores["oxigraph"], name, params)
    assert mem.variables == ox.variables
    assert _normal(mem.records()) == _normal(ox.records())
    assert mem.rows, f"{name} returned nothing on the gold graph"


def test_optional_filters_narrow_and_omitting_them_does_not_multiply(stores):
    store = stores["oxigraph"]
    every = query.run_named(store, "amounts").records()
    assert len({r["amount"] for r in every}) == len(every)       # one row an amount
    caps = query.run_named(store, "amounts", {"kind": "cap"}).records()
    assert caps and {r["kind"] for r in caps} == {"cap"} and len(caps) < len(every)
    poc = query.run_named(store, "amounts", {"theme": "概念验证"}).records()
    assert len({r["amount"] for r in poc}) == len(poc) < len(every)
    assert {r["theme"] for r in poc} == {str(THEME["proof-of-concept"])}
    with_theme = query.run(store, "SELECT DISTINCT ?a WHERE { ?m pkg:theme theme:proof-of-concept ; pkg:hasAmount ?a }")
    assert {r["amount"] for r in poc} == {r["a"] for r in with_theme.records()}


# ------------------------------------------------------------------ typing parameters

@pytest.mark.parametrize("text", ["厦门", "厦门市", "Xiamen", "廈門", "xiamen", str(REG.xiamen), "reg:xiamen"])
def test_region_parameters_as_people_type_them(text):
    assert query.coerce(query.Param("region", "region"), text) == REG.xiamen


@pytest.mark.parametrize("text", ["pay-after-use", "先使用后付费", "先用后转", "Pay after use", "theme:pay-after-use"])
def test_theme_parameters_as_people_type_them(text):
    assert query.coerce(query.Param("theme", "theme"), text) == THEME["pay-after-use"]


def test_typed_values():
    from rdflib.namespace import XSD
    assert query.coerce(query.Param("n", "int"), " 42 ") == Literal(42)
    assert query.coerce(query.Param("x", "float"), "0.05") == Literal("0.05", datatype=XSD.decimal)
    assert query.coerce(query.Param("m", "iri"), "id:measure/a/b/1") == URIRef("https://w3id.org/policykg/id/measure/a/b/1")
    assert query.coerce(query.Param("s", "str"), " keep spaces ") == Literal(" keep spaces ")


@pytest.mark.parametrize("param, value, message", [("theme", "先使用后付", "did you mean"), ("region", "Atlantis", "unknown region"),
                                                   ("int", "4.5", "whole number"), ("float", "abc", "not a number"),
                                                   ("iri", "not an iri", "not an IRI"), ("iri", "id:x> <y", "not an IRI")])
def test_bad_values_are_one_line_errors(param, value, message):
    with pytest.raises(PolicyKGError, match=message) as err:
        query.coerce(query.Param("p", param), value)
    assert "\n" not in str(err.value)


def test_missing_and_unknown_parameters(stores):
    with pytest.raises(PolicyKGError, match="missing parameter theme:theme"):
        query.run_named(stores["oxigraph"], "theme-by-region")
    with pytest.raises(PolicyKGError, match="unknown parameter 'colour'"):
        query.run_named(stores["oxigraph"], "theme-by-region", {"theme": "pay-after-use", "colour": "red"})
    with pytest.raises(PolicyKGError, match="did you mean theme-by-region"):
        query.get("theme-by-regin")


# ------------------------------------------------------------------ injection

class Recording:
    """A store that remembers what it was asked."""

    def __init__(self, store):
        self.store, self.calls = store, []

    def select(self, text, bindings=None):
        self.calls.append((text, dict(bindings or {})))
        return self.store.select(text, bindings)


@pytest.fixture(scope="module")
def nasty_stores(tmp_path_factory):
    """One node per nasty string, as the value of pkg:number (and one decoy)."""
    g = Graph()
    for i, value in enumerate(NASTY):
        g.add((URIRef(f"https://example.org/m{i}"), PKG.number, Literal(value)))
    g.add((URIRef("https://example.org/decoy"), PKG.number, Literal("decoy")))
    return _stores(g, tmp_path_factory.mktemp("nasty"))


NUMBER_QUERY = query.parse("# param: n:str\nSELECT ?m ?n WHERE { ?m pkg:number ?n }", origin="test")


@pytest.mark.parametrize("backend", ["memory", "oxigraph"])
@pytest.mark.parametrize("value", NASTY)
def test_nasty_values_are_bound_not_pasted(nasty_stores, backend, value):
    store = Recording(nasty_stores[backend])
    rows = query.run_named(store, NUMBER_QUERY, {"n": value}).records()
    assert [r["m"] for r in rows] == [f"https://example.org/m{NASTY.index(value)}"]   # exactly its node
    assert rows[0]["n"] == value
    (text, bindings), = store.calls
    assert text == NUMBER_QUERY.text                     # the query text never changes
    assert bindings == {"n": Literal(value)}


@pytest.mark.parametrize("value", NASTY)
def test_nasty_values_in_named_queries_change_nothing(stores, value):
    store = Recording(stores["oxigraph"])
    assert query.run_named(store, "amounts", {"kind": value}).rows == []         # a string parameter
    assert store.calls[0][0] == query.get("amounts").text_for({"kind"})
    for param in ("theme", "region", "beneficiary"):                              # vocabulary parameters
        with pytest.raises(PolicyKGError, match=f"unknown {param}"):
            query.run_named(store, "amounts", {param: value + "x"})


def test_nasty_theme_through_compare_and_cli(stores, built):
    from kg.compare import compare_theme
    for value in NASTY:
        with pytest.raises(PolicyKGError, match="unknown theme"):
            compare_theme(stores["memory"], value + "}")
    r = _cli("compare", "theme", '"} UNION { ?s ?p ?o } #\nSELECT', "--build", str(built[0]))
    assert r.returncode == 2 and "unknown theme" in r.stderr and "Traceback" not in r.stderr


# ------------------------------------------------------------------ errors and formats

@pytest.mark.parametrize("backend", ["memory", "oxigraph"])
def test_syntax_errors_give_position_not_traceback(stores, backend):
    text = "SELECT ?x WHERE {\n  ?x a pkg:Policy .\n  FILTER(?x = )\n}"
    with pytest.raises(PolicyKGError) as err:
        query.run(stores[backend], text, source="bad.rq")
    message = str(err.value)
    assert message.startswith("bad.rq: SPARQL syntax error") and "\n" not in message
    line = int(message.split("line ")[1].split(",")[0])
    assert 3 <= line <= 5                                 # counted in the user's text, not the prologue
    with pytest.raises(PolicyKGError, match="prefix"):
        query.run(stores[backend], "SELECT ?x WHERE { ?x foo:bar ?y }")


@pytest.mark.parametrize("backend", ["memory", "oxigraph"])
def test_ask_and_predeclared_prefixes(stores, backend):
    result = query.run(stores[backend], "ASK { ?m pkg:theme theme:pay-after-use ; pkg:ofPolicy/pkg:region reg:weihai }")
    assert result.records() == [{"ask": True}]


def test_output_formats_round_trip(stores):
    result = query.run_named(stores["oxigraph"], "theme-by-region", {"theme": "pay-after-use"})
    records = result.records()
    parsed = list(csv.DictReader(io.StringIO(query.format_result(result, "csv"))))
    assert [r["measure"] for r in parsed] == [r["measure"] for r in records]
    tsv = query.format_result(result, "tsv").split("\n")
    assert tsv[0].split("\t") == result.variables and len(tsv) == len(records) + 1
    assert all(len(line.split("\t")) == len(result.variables) for line in tsv)
    data = json.loads(query.format_result(result, "json"))
    assert data == {"variables": result.variables, "rows": records}
    md = query.format_result(result, "md").split("\n")
    assert md[1].count("---") == len(result.variables) and "theme:pay-after-use" in md[2]
    with pytest.raises(PolicyKGError, match="unknown format"):
        query.format_result(result, "xml")


def _cli(*args, stdin=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kg", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300, input=stdin)


def test_cli_query_forms(built, tmp_path):
    out, _ = built
    rq = tmp_path / "count.rq"
    rq.write_text("# param: region:region\nSELECT ?region (COUNT(?m) AS ?n) WHERE {\n"
                  "  ?m pkg:ofPolicy/pkg:region ?region } GROUP BY ?region\n", encoding="utf-8")
    r = _cli("query", "-f", str(rq), "-p", "region=廈門", "--build", str(out), "--format", "json")
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)["rows"]
    assert rows[0]["region"] == str(REG.xiamen) and rows[0]["n"] > 0
    r = _cli("query", "-f", "-", "--build", str(out), "--format", "csv", "--store", "memory",
             stdin="SELECT ?t WHERE { ?t a pkg:Theme } ORDER BY ?t LIMIT 2")
    assert r.returncode == 0 and r.stdout.splitlines()[0] == "t" and len(r.stdout.splitlines()) == 3
    bad = tmp_path / "bad.rq"
    bad.write_text("SELECT ?x WHERE {\n ?x a pkg:Policy\n", encoding="utf-8")
    r = _cli("query", "-f", str(bad), "--build", str(out))
    assert r.returncode == 2 and "bad.rq" in r.stderr and "line" in r.stderr and "Traceback" not in r.stderr
    r = _cli("queries")
    lines = r.stdout.strip().splitlines()
    assert r.returncode == 0 and len(lines) == len(query.named_queries())
    assert any(line.startswith("theme-by-region ") and "theme:theme" in line for line in lines)


@pytest.mark.parametrize("command", [["query"], ["queries"], ["compare", "theme"], ["compare", "cities"], ["matrix"],
                                     ["amounts"], ["show", "measure"]])
def test_every_command_has_help_with_an_example(command):
    from typer.testing import CliRunner
    from kg.cli import _register, app
    _register()
    r = CliRunner().invoke(app, [*command, "--help"], env={"COLUMNS": "200"})
    assert r.exit_code == 0 and "Example" in r.output
