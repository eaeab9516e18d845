"""The coverage summaries written at build time (kg.coverage) say what a live aggregation over
every measure says: same counts, same lowest and highest amounts (each amount counted for the
themes its sentence mentions, else all the measure's themes), same beneficiaries, and the
examples are the first measures of the region in reading order."""
from __future__ import annotations

from collections import defaultdict

import pytest

from kg.compare import EXAMPLES, PROMISE_KINDS
from kg.coverage import sentence_bounds
from kg.query import run_named

LIVE = """
SELECT ?theme ?region ?measure ?policy ?doc ?order ?beneficiary WHERE {
  ?measure a pkg:Measure ; pkg:theme ?theme ; pkg:ofPolicy ?policy ; pkg:order ?order .
  ?policy pkg:region ?region ; prov:wasDerivedFrom/dct:identifier ?doc .
  OPTIONAL { ?measure pkg:beneficiary ?beneficiary }
}"""
# where each amount and each theme mention sits in its measure (original offsets)
AMOUNTS = """
SELECT ?measure ?kind ?unit ?value ?start ?spanStart ?spanText WHERE {
  ?measure pkg:hasAmount ?a ; pkg:span ?span . ?span oa:start ?spanStart ; oa:exact ?spanText .
  ?a pkg:kind ?kind ; schema:unitText ?unit ; schema:value ?value ; oa:start ?start .
}"""
MENTIONS = """
SELECT ?measure ?theme ?start WHERE {
  ?measure pkg:theme ?theme ; pkg:evidence ?m . ?m pkg:concept ?theme ; oa:start ?start .
}"""

SUMMARY = """
SELECT ?theme ?region ?measures ?policies ?kind ?unit ?low ?high ?beneficiary ?rank ?example WHERE {
  ?c a pkg:ThemeCoverage ; pkg:coversTheme ?theme ; pkg:coversRegion ?region ;
     pkg:measureCount ?measures ; pkg:policyCount ?policies .
  OPTIONAL { ?c pkg:amountRange ?r . ?r pkg:kind ?kind ; schema:unitText ?unit ;
                                        schema:minValue ?low ; schema:maxValue ?high }
  OPTIONAL { ?c pkg:coversBeneficiary ?beneficiary }
  OPTIONAL { ?c pkg:example ?e . ?e pkg:rank ?rank ; pkg:exampleMeasure ?example }
}"""


def _select(store, query):
    from kg.store import prologue
    variables, rows = store.select(prologue() + query)
    return [{k: (None if v is None else v.toPython()) for k, v in row.items()} for row in rows]


def amount_themes(store) -> dict:
    """(measure, kind, unit, value) -> the themes it counts for: those mentioned in its sentence,
    else every theme of the measure (kg.coverage.amount_themes, redone on the graph's data)."""
    mentions: dict = defaultdict(lambda: defaultdict(list))
    for r in _select(store, MENTIONS):
        mentions[str(r["measure"])][str(r["theme"])].append(r["start"])
    out: dict = defaultdict(set)
    for r in _select(store, AMOUNTS):
        if r["kind"] not in PROMISE_KINDS:
            continue
        base = r["spanStart"]
        s, e = sentence_bounds(r["spanText"], r["start"] - base)
        themes = mentions[str(r["measure"])]
        worded = {t for t, starts in themes.items() if any(s <= x - base < e for x in starts)}
        out[(str(r["measure"]), r["kind"], r["unit"], r["value"])] |= worded or set(themes)
    return out


def live_coverage(store) -> dict:
    out: dict = defaultdict(lambda: {"measures": {}, "policies": set(), "ranges": {}, "beneficiaries": set()})
    counted = amount_themes(store)
    for r in _select(store, LIVE):
        c = out[(str(r["theme"]), str(r["region"]))]
        c["measures"][str(r["measure"])] = (r["doc"], r["order"])
        c["policies"].add(str(r["policy"]))
        if r["beneficiary"]:
            c["beneficiaries"].add(str(r["beneficiary"]))
    for (measure, kind, unit, value), themes in counted.items():
        for key, c in out.items():
            if key[0] in themes and measure in c["measures"]:
                low, high = c["ranges"].get((kind, unit), (value, value))
                c["ranges"][(kind, unit)] = (min(low, value), max(high, value))
    return {k: {"measures": len(c["measures"]), "policies": len(c["policies"]), "ranges": c["ranges"],
                "beneficiaries": c["beneficiaries"],
                "examples": [m for m, _ in sorted(c["measures"].items(), key=lambda x: x[1])][:EXAMPLES]}
            for k, c in out.items()}


def summary_coverage(store) -> dict:
    out: dict = defaultdict(lambda: {"ranges": {}, "beneficiaries": set(), "examples": {}})
    for r in _select(store, SUMMARY):
        c = out[(str(r["theme"]), str(r["region"]))]
        c["measures"], c["policies"] = r["measures"], r["policies"]
        if r["kind"]:
            c["ranges"][(r["kind"], r["unit"])] = (r["low"], r["high"])
        if r["beneficiary"]:
            c["beneficiaries"].add(str(r["beneficiary"]))
        if r["example"]:
            c["examples"][r["rank"]] = str(r["example"])
    return {k: {**c, "examples": [m for _, m in sorted(c["examples"].items())]} for k, c in out.items()}


@pytest.fixture(scope="module")
def corpus_store(built):
    from kg.store import open_store
    return open_store("oxigraph", built[0])


@pytest.fixture(scope="module")
def gold_memory():
    from conftest import gold_files
    import json
    from kg.goldjson import from_gold
    from kg.rdf import to_graph
    from kg.store.memory import MemoryStore
    return MemoryStore(to_graph([from_gold(json.loads(p.read_text(encoding="utf-8"))) for p in gold_files()]))


@pytest.mark.parametrize("store_name", ["corpus_store", "gold_memory"])
def test_coverage_equals_the_live_aggregation(request, store_name):
    store = request.getfixturevalue(store_name)
    live, summary = live_coverage(store), summary_coverage(store)
    assert len(live) > 40
    assert set(summary) == set(live)
    for key in live:
        assert summary[key] == live[key], key


def test_matrix_counts_are_distinct_measures(corpus_store):
    """The matrix (read from the summaries) and a COUNT(DISTINCT) over measures agree."""
    counts = {(str(r["theme"]), str(r["region"])): int(r["measures"])
              for r in run_named(corpus_store, "theme-matrix").records()}
    assert counts == {k: v["measures"] for k, v in live_coverage(corpus_store).items()}


def test_region_policy_counts_are_distinct_policies(corpus_store):
    live: dict = defaultdict(set)
    for r in _select(corpus_store, "SELECT ?region ?p WHERE { ?p a pkg:Policy ; pkg:region ?region }"):
        live[str(r["region"])].add(str(r["p"]))
    counts = {str(r["region"]): int(r["policies"]) for r in run_named(corpus_store, "regions").records()}
    assert counts == {k: len(v) for k, v in live.items()} and len(counts) >= 7


def test_packed_matrix_rows_equal_the_coverage_nodes(corpus_store):
    """`matrix` reads the rows packed per theme; they hold the numbers of the per-cell nodes."""
    from kg import compare
    names = {r["iri"]: r["region"] for r in compare.regions(corpus_store)}
    cells = {(str(r["theme"]).rsplit("/", 1)[-1], names[str(r["region"])]): int(r["measures"])
             for r in run_named(corpus_store, "theme-matrix").records()}
    m = compare.matrix(corpus_store)
    packed = {(t["theme"], region): n for t in m["themes"] for region, n in t["counts"].items() if n}
    assert packed == cells and len(cells) > 40


def test_shapes_catch_an_inconsistent_summary():
    """More policies than measures, or a lowest amount above the highest, break the shapes."""
    import json
    from rdflib import Literal
    from rdflib.namespace import XSD
    from conftest import gold_files
    from kg.goldjson import from_gold
    from kg.rdf import to_graph
    from kg.validate import validate_graph
    from kg.vocab import PKG, SCHEMA
    g = to_graph([from_gold(json.loads(gold_files()[0].read_text(encoding="utf-8")))])
    assert validate_graph(g)[0]
    node = next(g.subjects(PKG.measureCount, None))
    g.set((node, PKG.policyCount, Literal(int(g.value(node, PKG.measureCount)) + 1, datatype=XSD.integer)))
    ok, report = validate_graph(g)
    assert not ok and "policyCount" in report
    g = to_graph([from_gold(json.loads(gold_files()[0].read_text(encoding="utf-8")))])
    r = next(g.subjects(SCHEMA.minValue, None))
    g.set((r, SCHEMA.minValue, Literal(int(float(g.value(r, SCHEMA.maxValue))) + 1, datatype=XSD.decimal)))
    ok, report = validate_graph(g)
    assert not ok and "minValue" in report
