"""Graph analytics against expectations computed by hand from the gold annotations.

The graph under test is built from the gold files (kg.goldjson.from_gold -> kg.rdf.to_graph), so
the numbers depend on the hand annotations only; every expectation below is recomputed here from
the gold JSON with plain Python (sets and counters), never taken from kg.analyze.
"""
from __future__ import annotations

import json
import math
import subprocess
import sys
from collections import Counter, defaultdict
from itertools import combinations

import pytest

from conftest import EXTRA_GOLD, ROOT, gold_files


def _gold_docs() -> list[dict]:
    files = gold_files() + sorted(EXTRA_GOLD.glob("*.json"))
    return [json.loads(f.read_text(encoding="utf-8")) for f in files]


@pytest.fixture(scope="module")
def gold_facts():
    """By hand from gold: region -> Counter(theme -> measures), and the theme set of each measure."""
    by_region: dict[str, Counter] = defaultdict(Counter)
    measures: list[set[str]] = []
    for doc in _gold_docs():
        for s in doc["sources"]:
            by_region[s["region"]]            # a region with no themed measure still counts
            for m in s["measures"]:
                themes = set(m["themes"])
                by_region[s["region"]].update(themes)
                if themes:
                    measures.append(themes)
    return dict(by_region), measures


@pytest.fixture(scope="module")
def result():
    from kg.analyze import analyze
    from kg.goldjson import from_gold
    from kg.rdf import to_graph
    return analyze(to_graph([from_gold(d) for d in _gold_docs()]))


def test_regions_are_the_gold_regions(gold_facts, result):
    by_region, _ = gold_facts
    assert {r["label"] for r in result["regions"]} == set(by_region)
    for r in result["regions"]:
        assert r["themes"] == len(by_region[r["label"]])


def _jaccard(a: set, b: set) -> float:
    return len(a & b) / len(a | b)


def _cosine(a: Counter, b: Counter) -> float:
    dot = sum(a[k] * b[k] for k in a)
    return dot / (math.sqrt(sum(v * v for v in a.values())) * math.sqrt(sum(v * v for v in b.values())))


def test_region_similarity_is_jaccard_and_cosine_of_gold_themes(gold_facts, result):
    by_region, _ = gold_facts
    rows = {frozenset((r["a_label"], r["b_label"])): r for r in result["similarity"]}
    assert len(rows) == len(by_region) * (len(by_region) - 1) // 2
    for a, b in combinations(sorted(by_region), 2):
        row = rows[frozenset((a, b))]
        assert row["jaccard"] == pytest.approx(_jaccard(set(by_region[a]), set(by_region[b])), abs=1e-4)
        assert row["cosine"] == pytest.approx(_cosine(by_region[a], by_region[b]), abs=1e-4)
        assert row["shared"] == len(set(by_region[a]) & set(by_region[b]))
    # ranked: the most similar pair by hand comes first, and Jaccard never increases down the table
    best = max(combinations(sorted(by_region), 2), key=lambda p: _jaccard(set(by_region[p[0]]), set(by_region[p[1]])))
    assert {result["similarity"][0]["a_label"], result["similarity"][0]["b_label"]} == set(best)
    js = [r["jaccard"] for r in result["similarity"]]
    assert js == sorted(js, reverse=True)


def test_central_themes_count_regions_and_measures(gold_facts, result):
    by_region, measures = gold_facts
    regions_of = Counter(t for themes in by_region.values() for t in themes)
    measures_of = Counter(t for themes in measures for t in themes)
    co_themes = defaultdict(set)
    for themes in measures:
        for t in themes:
            co_themes[t] |= themes - {t}
    rows = {r["theme"]: r for r in result["central_themes"]}
    assert set(rows) == set(measures_of)
    for t, r in rows.items():
        assert (r["regions"], r["measures"], r["co_themes"]) == (regions_of[t], measures_of[t], len(co_themes[t]))
        assert r["region_share"] == pytest.approx(regions_of[t] / len(by_region), abs=1e-4)
    top = max(measures_of, key=lambda t: (regions_of[t], measures_of[t]))
    first = result["central_themes"][0]
    assert (first["regions"], first["measures"]) == (regions_of[top], measures_of[top])


def test_theme_betweenness_matches_a_graph_built_by_hand(gold_facts, result):
    import networkx as nx
    _, measures = gold_facts
    G = nx.Graph()
    for themes in measures:
        G.add_nodes_from(themes)
        G.add_edges_from(combinations(sorted(themes), 2))
    expected = nx.betweenness_centrality(G, normalized=True)
    for r in result["central_themes"]:
        assert r["betweenness"] == pytest.approx(expected[r["theme"]], abs=1e-4)
    assert max(expected.values()) > 0


def test_cooccurring_themes_are_counted_per_measure(gold_facts, result):
    _, measures = gold_facts
    pairs = Counter(p for themes in measures for p in combinations(sorted(themes), 2))
    with_theme = defaultdict(set)
    for i, themes in enumerate(measures):
        for t in themes:
            with_theme[t].add(i)
    rows = {(r["a"], r["b"]): r for r in result["cooccurrence"]}
    assert set(rows) == set(pairs)
    for (a, b), n in pairs.items():
        assert rows[(a, b)]["measures"] == n
        assert rows[(a, b)]["jaccard"] == pytest.approx(_jaccard(with_theme[a], with_theme[b]), abs=1e-4)
    top = max(pairs.values())
    assert result["cooccurrence"][0]["measures"] == top


def test_communities_partition_regions_along_above_average_similarity(gold_facts, result):
    by_region, _ = gold_facts
    sims = {frozenset(p): _jaccard(set(by_region[p[0]]), set(by_region[p[1]]))
            for p in combinations(sorted(by_region), 2)}
    mean = sum(sims.values()) / len(sims)
    linked = {p for p, j in sims.items() if j > mean}
    groups = [set(g["labels"]) for g in result["communities"]["groups"]]
    assert result["communities"]["threshold"] == pytest.approx(mean, abs=1e-4)
    # a partition of the regions
    assert sorted(r for g in groups for r in g) == sorted(by_region)
    # each group is connected through above-average pairs (communities never join strangers)
    for g in groups:
        seen, todo = set(), [next(iter(g))]
        while todo:
            x = todo.pop()
            seen.add(x)
            todo += [y for y in g - seen if frozenset((x, y)) in linked]
        assert seen == g
    # a region less similar than average to every other stands alone; the gold has one
    loners = [r for r in by_region if not any(r in p for p in linked)]
    assert loners
    for r in loners:
        assert {r} in groups


def test_analyze_json_on_the_built_corpus(built):
    out, _ = built
    r = subprocess.run([sys.executable, "-m", "kg", "analyze", "--build", str(out), "--format", "json"],
                       cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    n = len(data["regions"])
    assert n >= 6 and len(data["similarity"]) == n * (n - 1) // 2
    assert all(0 <= x["jaccard"] <= 1 and 0 <= x["cosine"] <= 1 + 1e-9 for x in data["similarity"])
    r = subprocess.run([sys.executable, "-m", "kg", "analyze", "--build", str(out)],
                       cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0 and "Jaccard" in r.stdout and data["regions"][0]["label"] in r.stdout
