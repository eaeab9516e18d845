"""`policykg export`: one row per fact with region, policy and provenance, opened the way an
analyst's tools open it (csv with the BOM Excel needs, openpyxl), and the same facts as RDF.
Row counts come from the gold annotations: a graph built from tests/gold must export exactly
their measures, themes, beneficiaries and amounts."""
from __future__ import annotations

import csv
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from conftest import ROOT, gold_files


def gold_data() -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in gold_files()]


def gold_facts() -> Counter:
    """How many rows of each fact the gold holds (a theme named twice in a measure is one link)."""
    counts = Counter()
    for data in gold_data():
        for s in data["sources"]:
            for m in s["measures"]:
                counts["measure"] += 1
                counts["theme"] += len(set(m.get("themes", [])))
                counts["beneficiary"] += len(set(m.get("beneficiaries", [])))
                counts["amount"] += len(m.get("amounts", []))
    return counts


def gold_amounts() -> Counter:
    from kg import vocab
    out = Counter()
    for data in gold_data():
        for s in data["sources"]:
            region = vocab.resolve_region(s["region"]).id
            for m in s["measures"]:
                for a in m.get("amounts", []):
                    out[(region, str(m["n"]), a["kind"], float(a["value"]), a["unit"])] += 1
    return out


@pytest.fixture(scope="module")
def gold_build(tmp_path_factory) -> Path:
    """A build folder holding the graph of the gold annotations (no store yet: made on opening)."""
    from kg.goldjson import from_gold
    from kg.rdf import ntriples, to_graph
    out = tmp_path_factory.mktemp("gold-build")
    graph = to_graph([from_gold(d) for d in gold_data()])
    (out / "graph.nt").write_text(ntriples(graph), encoding="utf-8")
    return out


def read_csv(path: Path) -> list[dict]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "CSV without the UTF-8 BOM Excel needs"
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.parametrize("store_kind", ["oxigraph", "memory"])
def test_csv_has_one_row_per_gold_fact(gold_build, tmp_path, store_kind):
    from kg.export import COLUMNS, export
    from kg.store import open_store
    result = export(open_store(store_kind, gold_build), "csv", tmp_path / "facts.csv")
    rows = read_csv(tmp_path / "facts.csv")
    assert list(rows[0]) == list(COLUMNS)
    assert Counter(r["fact"] for r in rows) == gold_facts() == Counter(result["facts"])
    assert all(r["region"] and r["region_id"] and r["policy"] and r["doc"] and r["measure"] for r in rows)
    amounts = Counter((r["region_id"], r["measure_no"], r["kind"], float(r["value"]), r["unit"])
                      for r in rows if r["fact"] == "amount")
    assert amounts == gold_amounts()
    themes = [r for r in rows if r["fact"] == "theme"]
    assert all(r["instrument_class"] in ("supply-side", "environment-side", "demand-side") for r in themes)


def test_xlsx_opens_with_the_columns_and_gold_row_counts(gold_build, tmp_path):
    from openpyxl import load_workbook
    from kg.export import COLUMNS, export
    from kg.store import open_store
    export(open_store("oxigraph", gold_build), "xlsx", tmp_path / "facts.xlsx")
    wb = load_workbook(tmp_path / "facts.xlsx", read_only=True)
    rows = list(wb["facts"].iter_rows(values_only=True))
    header, body = list(rows[0]), rows[1:]
    assert header == list(COLUMNS)
    records = [dict(zip(header, r)) for r in body]
    assert Counter(r["fact"] for r in records) == gold_facts()
    assert all(isinstance(r["value"], (int, float)) for r in records if r["fact"] == "amount")
    described = [r[0] for r in wb["columns"].iter_rows(min_row=2, values_only=True)]
    assert described == list(COLUMNS)


def canonical(triple):
    """A triple with numbers compared by value: Turtle writes 10000000.0 where N-Triples writes
    "10000000"^^xsd:decimal."""
    from decimal import Decimal
    from rdflib import Literal
    s, p, o = triple
    value = o.toPython() if isinstance(o, Literal) else None
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        o = (Decimal(str(value)).normalize(), o.datatype)
    return s, p, o


def test_rdf_exports_hold_the_same_facts(gold_build, tmp_path):
    from rdflib import Graph
    from rdflib.namespace import RDF
    from kg.export import export
    from kg.store import open_store
    from kg.vocab import PKG
    store = open_store("oxigraph", gold_build)
    graphs = {}
    for fmt, parser in (("jsonld", "json-ld"), ("ttl", "turtle"), ("nt", "nt")):
        result = export(store, fmt, tmp_path / f"facts.{fmt}")
        g = Graph().parse(tmp_path / f"facts.{fmt}", format=parser)
        assert len(g) == result["triples"]
        graphs[fmt] = {canonical(t) for t in g}
    assert graphs["jsonld"] == graphs["ttl"] == graphs["nt"]
    g = Graph().parse(tmp_path / "facts.ttl", format="turtle")
    counts = gold_facts()
    assert len(set(g.subjects(RDF.type, PKG.Measure))) == counts["measure"]
    assert len(set(g.subjects(RDF.type, PKG.Amount))) == counts["amount"]
    assert len(list(g.subject_objects(PKG.theme))) == counts["theme"]


def run_cli(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kg", *map(str, args)], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)


def test_export_of_the_built_corpus_quotes_the_extracted_text(built, processed, tmp_path):
    """From the command line, on the real build: each row's quote is the text at its offsets."""
    out_dir, _ = built
    r = run_cli("export", "--format", "csv", "--build", out_dir, "--out", tmp_path / "facts.csv")
    assert r.returncode == 0, r.stderr
    rows = read_csv(tmp_path / "facts.csv")
    want = Counter()
    for doc in processed.values():
        for s in doc.sources:
            for m in s.measures:
                want.update({"measure": 1, "theme": len({t.id for t in m.themes}),
                             "beneficiary": len({b.id for b in m.beneficiaries}), "amount": len(m.amounts)})
    assert Counter(r["fact"] for r in rows) == want
    assert f"{len(rows)} rows" in r.stdout
    checked = 0
    for row in rows:
        if row["start"] and len(row["quote"]) < 32000:
            text = processed[row["doc"]].original
            quote = row["quote"][1:] if row["quote"][:1] == "'" and text[int(row["start"])] != "'" else row["quote"]
            assert text[int(row["start"]):int(row["end"])] == quote, row
            checked += 1
    assert checked >= len(rows) * 0.9


def test_export_errors_are_one_line(tmp_path):
    r = run_cli("export", "--format", "xlsx", "--build", tmp_path / "nothing")
    assert r.returncode == 2 and "run `policykg build` first" in r.stderr and "Traceback" not in r.stderr
    r = run_cli("export", "--format", "xls", "--build", tmp_path)
    assert r.returncode == 2 and "unknown format 'xls'" in r.stderr
    r = run_cli("export", "--format", "xlsx", "--out", "-", "--build", tmp_path)
    assert r.returncode == 2 and "cannot go to the terminal" in r.stderr
