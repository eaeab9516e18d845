"""Comparisons (kg/compare.py) against the hand annotations: a graph built from tests/gold by
kg.goldjson.from_gold, queried through both the rdflib and the Oxigraph store, must list exactly
what the gold JSON says. Expectations are computed here from the JSON, never from the program."""
from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from conftest import CORPUS, GOLD, EXTRA_GOLD, ROOT
from kg import compare, query
from kg.errors import PolicyKGError

GOLD_FILES = sorted(GOLD.glob("*.json")) + sorted(EXTRA_GOLD.glob("*.json"))


def _gold() -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in GOLD_FILES]


@pytest.fixture(scope="module")
def gold_graph():
    from kg.goldjson import from_gold
    from kg.rdf import to_graph
    return to_graph([from_gold(d) for d in _gold()])


@pytest.fixture(scope="module")
def gold_memory(gold_graph):
    from kg.store.memory import MemoryStore
    return MemoryStore(gold_graph)


@pytest.fixture(scope="module")
def gold_oxigraph(gold_graph, tmp_path_factory):
    from kg.rdf import ntriples
    from kg.store.oxigraph import OxigraphStore
    nt = tmp_path_factory.mktemp("gold") / "graph.nt"
    nt.write_text(ntriples(gold_graph), encoding="utf-8")
    store = OxigraphStore()
    store.load_ntriples(nt)
    return store


@pytest.fixture(params=["memory", "oxigraph"])
def gold_store(request):
    """The gold annotations as a graph, in the rdflib store or in Oxigraph (from N-Triples)."""
    return request.getfixturevalue(f"gold_{request.param}")


# ------------------------------------------------------------------ expectations from the JSON

def gold_measures() -> list[tuple[str, dict]]:
    """(region as annotated, measure) for every gold measure."""
    return [(s["region"], m) for d in _gold() for s in d["sources"] for m in s["measures"]]


def gold_regions() -> set[str]:
    return {s["region"] for d in _gold() for s in d["sources"]}


def gold_themes_by_region() -> dict[str, set[str]]:
    out: dict[str, set[str]] = defaultdict(set)
    for region, m in gold_measures():
        out[region] |= set(m["themes"])
    return out


def gold_themes() -> list[str]:
    return sorted({t for _, m in gold_measures() for t in m["themes"]})


# ------------------------------------------------------------------ compare theme

def _theme_cases() -> list[tuple[str, str]]:
    """Every gold theme on Oxigraph; on the (slow) rdflib store the rarest, the commonest and
    pay-after-use."""
    by_count = sorted(gold_themes(), key=lambda t: (sum(t in ts for ts in gold_themes_by_region().values()), t))
    sample = sorted({*by_count[:2], *by_count[-2:], "pay-after-use"})
    return [("oxigraph", t) for t in gold_themes()] + [("memory", t) for t in sample]


@pytest.mark.parametrize("backend, theme", _theme_cases())
def test_compare_theme_lists_exactly_the_gold_regions(request, backend, theme):
    result = compare.compare_theme(request.getfixturevalue(f"gold_{backend}"), theme)
    expected = {r for r, themes in gold_themes_by_region().items() if theme in themes}
    assert result["theme"] == theme
    assert {r["region"] for r in result["regions"]} == expected
    assert set(result["not_mentioned"]) == gold_regions() - expected
    wanted = Counter((region, str(m["n"])) for region, m in gold_measures() if theme in m["themes"])
    per_region = Counter(region for region, _ in wanted.elements())
    assert {r["region"]: r["measure_count"] for r in result["regions"]} == per_region
    assert all(len(r["examples"]) == 1 for r in result["regions"])
    full = compare.compare_theme(request.getfixturevalue(f"gold_{backend}"), theme,
                                 examples=compare.EXAMPLES, every_measure=True)
    assert Counter((r["region"], m["n"]) for r in full["regions"] for m in r["measures"]) == wanted
    for r in full["regions"]:     # the examples are the first measures of the region, in reading order
        assert [m["n"] for m in r["examples"]] == [m["n"] for m in r["measures"]][:compare.EXAMPLES]
        assert {k: v for k, v in r.items() if k != "measures"} == \
            next(x for x in compare.compare_theme(request.getfixturevalue(f"gold_{backend}"), theme,
                                                  examples=compare.EXAMPLES)["regions"] if x["id"] == r["id"])


def test_compare_theme_rows_carry_the_gold_facts(gold_store):
    """Beneficiaries and amounts of each listed measure are the gold's (statistics left out)."""
    theme = "pay-after-use"
    by_key = {(region, str(m["n"])): m for region, m in gold_measures()}
    result = compare.compare_theme(gold_store, "先使用后付费")
    assert result["theme"] == theme
    for region in compare.compare_theme(gold_store, "先使用后付费", every_measure=True)["regions"]:
        for m in region["measures"]:
            gold = by_key[(region["region"], m["n"])]
            assert m["title"] == gold["title"]
            assert m["beneficiaries"] == sorted(set(gold["beneficiaries"]))
            assert sorted((a["kind"], float(a["value"])) for a in m["amounts"]) == \
                sorted((a["kind"], float(a["value"])) for a in gold["amounts"] if a["kind"] != "stat")


@pytest.mark.parametrize("theme", ["tech-contract-incentive", "industry-academia-collaboration", "pay-after-use"])
def test_region_summaries_are_the_gold_measures_added_up(gold_store, theme):
    """Per region: beneficiaries are the union of the gold's measures; each amount range lies
    within the lowest and highest figure of those measures (an amount counts only for the themes
    its sentence mentions, so a range may be narrower: tests/test_coverage.py checks it exactly)."""
    wanted: dict = {}
    for region, m in gold_measures():
        if theme in m["themes"]:
            w = wanted.setdefault(region, {"beneficiaries": set(), "ranges": {}})
            w["beneficiaries"] |= set(m["beneficiaries"])
            for a in m["amounts"]:
                if a["kind"] != "stat":
                    low, high = w["ranges"].get((a["kind"], a["unit"]), (a["value"], a["value"]))
                    w["ranges"][(a["kind"], a["unit"])] = (min(low, a["value"]), max(high, a["value"]))
    result = compare.compare_theme(gold_store, theme)
    assert {r["region"] for r in result["regions"]} == set(wanted)
    for r in result["regions"]:
        assert set(r["beneficiaries"]) == wanted[r["region"]]["beneficiaries"]
        for a in r["amount_ranges"]:
            low, high = wanted[r["region"]]["ranges"][(a["kind"], a["unit"])]
            assert float(low) <= float(a["lowest"]) <= float(a["highest"]) <= float(high)


@pytest.mark.parametrize("wording", ["pay-after-use", "先使用后付费", "先用后转", "先使用後付費", "Pay After Use"])
def test_theme_wordings_give_one_answer(gold_oxigraph, wording):
    assert compare.compare_theme(gold_oxigraph, wording) == compare.compare_theme(gold_oxigraph, "pay-after-use")


def test_unknown_theme_is_a_user_error(gold_oxigraph):
    with pytest.raises(PolicyKGError, match="unknown theme"):
        compare.compare_theme(gold_oxigraph, "先使用后付款吗")


# ------------------------------------------------------------------ compare cities

@pytest.mark.parametrize("backend, cities", [("memory", ("威海", "珠海市")), ("oxigraph", ("威海", "珠海市")),
                                             ("oxigraph", ("Tianjin", "重庆")),
                                             ("oxigraph", ("云南省", "河南", "Chongqing")),
                                             ("oxigraph", ("北京", "浙江", "珠海"))])
def test_compare_cities_lists_exactly_the_gold_shared_and_unique(request, backend, cities):
    from kg.vocab import resolve_region
    names = [resolve_region(c).zh for c in cities]      # the canonical name the gold uses
    themes = gold_themes_by_region()
    result = compare.compare_cities(request.getfixturevalue(f"gold_{backend}"), list(cities))
    assert result["cities"] == names
    assert set(result["shared"]) == set.intersection(*(themes[n] for n in names))
    for n in names:
        others = set().union(*(themes[o] for o in names if o != n))
        assert set(result["unique"][n]) == themes[n] - others
    assert set(result["amounts"]) == set(result["shared"])


def test_city_spellings_resolve_to_one_region(gold_oxigraph):
    a = compare.compare_cities(gold_oxigraph, ["威海", "Zhuhai"])
    b = compare.compare_cities(gold_oxigraph, ["威海市", "珠海"])
    assert a == b and a["cities"] == ["威海市", "珠海市"]


def test_compare_cities_amounts_sit_side_by_side(gold_store):
    """Each shared theme's amount ranges, per region, are what `compare theme` says of that
    region, and lie within the gold amounts of the region's measures with the theme."""
    result = compare.compare_cities(gold_store, ["威海市", "珠海市"])
    assert result["shared"]
    for theme in result["shared"]:
        by_theme = {r["region"]: r for r in compare.compare_theme(gold_store, theme)["regions"]}
        for region in result["cities"]:
            got = result["amounts"][theme][region]
            assert got == by_theme[region]["amount_ranges"], (theme, region)
            gold = [float(a["value"]) for r, m in gold_measures() if r == region and theme in m["themes"]
                    for a in m["amounts"] if a["kind"] != "stat"]
            assert all(min(gold) <= float(a["lowest"]) <= float(a["highest"]) <= max(gold) for a in got)
            assert result["measures"][region][theme] == by_theme[region]["measure_count"]


@pytest.mark.parametrize("cities, message", [(["威海"], "at least two"), (["威海", "威海市"], "at least two"),
                                             (["威海", "Atlantis"], "unknown region"),
                                             (["威海", "厦门"], "no policy of 厦门市")])
def test_compare_cities_user_errors(gold_oxigraph, cities, message):
    with pytest.raises(PolicyKGError, match=message):
        compare.compare_cities(gold_oxigraph, cities)


# ------------------------------------------------------------------ matrix and amounts

def test_matrix_counts_the_gold_measures(gold_store):
    m = compare.matrix(gold_store)
    assert set(m["regions"]) == gold_regions()
    counts = Counter((region, t) for region, meas in gold_measures() for t in set(meas["themes"]))
    for row in m["themes"]:
        for region in m["regions"]:
            assert row["counts"][region] == counts[(region, row["theme"])]
        assert row["total"] == sum(counts[(r, row["theme"])] for r in gold_regions())


def test_amounts_never_mix_kinds_and_match_the_gold(gold_store):
    result = compare.amounts(gold_store)
    kinds = [(g["kind"], g["unit"]) for g in result["groups"]]
    assert len(kinds) == len(set(kinds))
    for g in result["groups"]:
        assert {(a["kind"], a["unit"]) for a in g["amounts"]} == {(g["kind"], g["unit"])}
        values = [a["value"] for a in g["amounts"]]
        assert values == sorted(values, reverse=True)
    got = Counter((a["region"], a["n"], a["kind"], float(a["value"])) for g in result["groups"] for a in g["amounts"])
    want = Counter((r, str(m["n"]), a["kind"], float(a["value"])) for r, m in gold_measures() for a in m["amounts"])
    assert got == want


@pytest.mark.parametrize("theme, beneficiary, kind", [("产学研合作", "高校", "cap"), ("概念验证", None, None),
                                                      (None, "技术转移机构", "rate")])
def test_amounts_filters_follow_the_gold(gold_oxigraph, theme, beneficiary, kind):
    gold_store = gold_oxigraph
    from kg.vocab import resolve_beneficiary, resolve_theme
    t = resolve_theme(theme).id if theme else None
    b = resolve_beneficiary(beneficiary).id if beneficiary else None
    result = compare.amounts(gold_store, theme=theme, beneficiary=beneficiary, kind=kind)
    got = Counter((a["region"], a["n"], a["kind"], float(a["value"])) for g in result["groups"] for a in g["amounts"])
    want = Counter((r, str(m["n"]), a["kind"], float(a["value"])) for r, m in gold_measures()
                   if (t is None or t in m["themes"]) and (b is None or b in m["beneficiaries"])
                   for a in m["amounts"] if kind is None or a["kind"] == kind)
    assert got == want and got


# ------------------------------------------------------------------ the same answers through `query`

@pytest.mark.parametrize("theme", ["pay-after-use", "liability-exemption"])
def test_named_query_gives_what_compare_theme_shows(gold_store, theme):
    rows = query.run_named(gold_store, "theme-by-region", {"theme": theme}).records()
    result = compare.compare_theme(gold_store, theme, every_measure=True)
    assert sorted((r["regionLabel"], r["measure"]) for r in rows) == \
        sorted((g["region"], m["measure"]) for g in result["regions"] for m in g["measures"])


def test_named_queries_give_what_compare_cities_shows(gold_oxigraph):
    gold_store = gold_oxigraph
    result = compare.compare_cities(gold_store, ["威海", "珠海"])
    per_region = {}
    for name in result["cities"]:
        rows = query.run_named(gold_store, "region-themes", {"region": name}).records()
        per_region[name] = {r["theme"].rsplit("/", 1)[-1] for r in rows}
    assert set(result["shared"]) == per_region["威海市"] & per_region["珠海市"]
    assert set(result["unique"]["威海市"]) == per_region["威海市"] - per_region["珠海市"]


# ------------------------------------------------------------------ the real corpus

@pytest.fixture(scope="module")
def corpus_store(built):
    from kg.store import open_store
    out, _ = built
    return open_store("oxigraph", out)


def test_pay_after_use_across_the_corpus(corpus_store):
    """厦门 comes from texts 000/001 (not in the gold); the others from 002-004."""
    result = compare.compare_theme(corpus_store, "先使用后付费", every_measure=True)
    assert {r["region"] for r in result["regions"]} == {"厦门市", "威海市", "云南省", "重庆市", "珠海市"}
    assert not {r["region"] for r in result["regions"]} & set(result["not_mentioned"])
    evidence = {}
    for region in result["regions"]:
        for m in region["measures"]:
            assert m["evidence"] and len(m["evidence"]) <= 62          # a shortened sentence
            assert any(w.strip("…") and w in m["evidence"] for w in m["evidence_words"]) or \
                m["evidence"].strip("…") in "".join(m["evidence_words"])
            evidence[m["measure"]] = m["evidence"]
    # the examples' sentences, written at build time, are the ones the query-time path finds
    shown = [m for r in result["regions"] for m in r["examples"]]
    assert len(shown) == 5 and [m["evidence"] for m in shown] == [evidence[m["measure"]] for m in shown]


def test_show_measure_quotes_the_original_file(corpus_store):
    from kg.ingest import load_document
    m = compare.show_measure(corpus_store, "004/珠海/4")
    prov = m["provenance"]
    original = load_document(CORPUS / prov["file"]).original
    assert original[prov["start"]:prov["end"]] == prov["text"]
    for item in m["themes"] + m["beneficiaries"]:
        for ev in item["evidence"]:
            assert original[ev["start"]:ev["end"]] == ev["exact"]
    for a in m["amounts"]:
        assert original[a["start"]:a["end"]] == a["exact"]
    assert m["region"]["name"] == "珠海市" and m["policy"]["doc_number"]
    assert compare.show_measure(corpus_store, m["measure"]) == m                 # by IRI
    assert compare.show_measure(corpus_store, "id:measure/" + m["key"]) == m     # by prefixed name


def test_show_measure_user_errors(corpus_store):
    for key, message in (("004/珠海/999", "no measure"), ("nonsense", "DOC/REGION/N"),
                         ("004/Atlantis/4", "unknown region")):
        with pytest.raises(PolicyKGError, match=message):
            compare.show_measure(corpus_store, key)


def _cli(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kg", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)


def test_cli_compare_theme_equals_the_named_query(built):
    out, _ = built
    r1 = _cli("compare", "theme", "先用后转", "--all", "--build", str(out), "--format", "json")
    r2 = _cli("query", "--name", "theme-by-region", "--param", "theme=先用后转", "--build", str(out),
              "--format", "json")
    assert r1.returncode == 0 and r2.returncode == 0, r1.stderr + r2.stderr
    compared, queried = json.loads(r1.stdout), json.loads(r2.stdout)
    assert compared["theme"] == "pay-after-use"
    assert sorted(m["measure"] for g in compared["regions"] for m in g["measures"]) == \
        sorted(r["measure"] for r in queried["rows"])
    assert {g["region"] for g in compared["regions"]} == {r["regionLabel"] for r in queried["rows"]}
    r3 = _cli("compare", "theme", "先用后转", "-k", "2", "--build", str(out), "--format", "json")
    assert r3.returncode == 0, r3.stderr
    for g, h in zip(compared["regions"], json.loads(r3.stdout)["regions"]):
        assert [m["measure"] for m in h["examples"]] == [m["measure"] for m in g["measures"]][:2]
        assert h["measure_count"] == len(g["measures"])


def test_cli_compare_cities_json_and_errors(built):
    out, _ = built
    r = _cli("compare", "cities", "廈門", "Zhuhai", "--build", str(out), "--format", "json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["cities"] == ["厦门市", "珠海市"] and set(data["unique"]) == {"厦门市", "珠海市"}
    r = _cli("compare", "cities", "厦门", "Atlantis", "--build", str(out))
    assert r.returncode == 2 and "Atlantis" in r.stderr and "Traceback" not in r.stderr


# ------------------------------------------------------------------ pieces

def test_evidence_sentence_is_the_sentence_around_the_words():
    text = "第一句。支持高校、科研院所采用“先使用后付费”等模式转化科技成果，" + "并且" * 40 + "。第三句。"
    start = text.index("先使用后付费")
    s = compare.evidence_sentence(text, start, start + 6, width=60)
    assert "先使用后付费" in s and "第一句" not in s and "第三句" not in s
    assert len(s) <= 62 and s.endswith("…")
    assert compare.evidence_sentence("先用后转。", 0, 4) == "先用后转。"
    assert compare.evidence_sentence("", 0, 0) == ""


@pytest.mark.parametrize("value, unit, label", [(300000, "CNY", "30万元"), (1.5e9, "CNY", "15亿元"),
                                                 (5000, "CNY", "5000元"), (0.05, "ratio", "5%"),
                                                 (3, "year", "3年"), (20, "item", "20项")])
def test_amount_labels(value, unit, label):
    assert compare.amount_label(value, unit) == label


def test_heatmap_png_with_and_without_a_cjk_font(gold_oxigraph, tmp_path, monkeypatch):
    m = compare.matrix(gold_oxigraph)
    png = tmp_path / "m.png"
    compare.write_heatmap(m, png)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    monkeypatch.setattr(compare, "cjk_font", lambda: None)
    warning = compare.write_heatmap(m, tmp_path / "plain.png")
    assert warning and "font" in warning and (tmp_path / "plain.png").stat().st_size > 1000
