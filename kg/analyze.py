"""Graph analytics over the built graph with networkx, returned as plain dicts (JSON-ready).

The unit of comparison is the region (all its policies together) and what it does is the set of
themes its measures treat:
- `similarity`: every pair of regions, Jaccard of their theme sets and cosine of their theme
  vectors (measures per theme), ranked;
- `central_themes`: themes by how many regions address them (degree centrality in the
  region-theme bipartite graph), then by measures, with their degree and betweenness in the
  theme co-occurrence network;
- `cooccurrence`: pairs of themes treated by the same measure, with how many measures and the
  Jaccard of the two themes' measure sets;
- `communities`: regions grouped by modularity (Louvain, fixed seed) on the graph of region pairs
  whose Jaccard similarity is above the mean of all pairs.
"""
from __future__ import annotations

import math
from collections import Counter, defaultdict
from itertools import combinations

import networkx as nx

from kg.viz import as_store, region_key

_REGION_THEMES = """
SELECT ?region ?regionLabel ?measure ?theme ?themeLabel WHERE {
  ?policy a pkg:Policy ; pkg:region ?region ; pkg:hasMeasure ?measure .
  OPTIONAL { ?measure pkg:theme ?theme .
             OPTIONAL { ?theme skos:prefLabel ?themeLabel FILTER(langMatches(lang(?themeLabel), "zh")) } }
  OPTIONAL { ?region skos:prefLabel ?regionLabel FILTER(langMatches(lang(?regionLabel), "zh")) }
}"""

COMMUNITY_SEED = 0


def _local(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1]


def load(source) -> tuple[dict[str, dict], dict[str, str], dict[str, set[str]]]:
    """(regions: id -> {label, measures: set, themes: Counter}, theme labels, measure -> themes)."""
    store = as_store(source)
    regions: dict[str, dict] = {}
    labels: dict[str, str] = {}
    measure_themes: dict[str, set[str]] = defaultdict(set)
    for r in store.select(_REGION_THEMES)[1]:
        key = region_key(r["region"])
        reg = regions.setdefault(key, {"label": key, "measures": set(), "by_theme": defaultdict(set)})
        if r["regionLabel"] is not None:
            reg["label"] = str(r["regionLabel"])
        measure = str(r["measure"])
        reg["measures"].add(measure)
        if r["theme"] is not None:
            theme = _local(str(r["theme"]))
            labels.setdefault(theme, str(r["themeLabel"]) if r["themeLabel"] is not None else theme)
            reg["by_theme"][theme].add(measure)
            measure_themes[measure].add(theme)
    for reg in regions.values():
        reg["themes"] = Counter({t: len(ms) for t, ms in reg.pop("by_theme").items()})
    return regions, labels, measure_themes


def jaccard(a: set, b: set) -> float:
    return len(a & b) / len(a | b) if a | b else 0.0


def cosine(a: Counter, b: Counter) -> float:
    dot = sum(a[k] * b[k] for k in a.keys() & b.keys())
    norm = math.sqrt(sum(v * v for v in a.values())) * math.sqrt(sum(v * v for v in b.values()))
    return dot / norm if norm else 0.0


def region_similarity(regions: dict[str, dict], labels: dict[str, str]) -> list[dict]:
    rows = []
    for a, b in combinations(sorted(regions), 2):
        ta, tb = regions[a]["themes"], regions[b]["themes"]
        shared = sorted(set(ta) & set(tb))
        rows.append({"a": a, "b": b, "a_label": regions[a]["label"], "b_label": regions[b]["label"],
                     "jaccard": round(jaccard(set(ta), set(tb)), 4), "cosine": round(cosine(ta, tb), 4),
                     "shared": len(shared), "union": len(set(ta) | set(tb)),
                     "shared_themes": [labels.get(t, t) for t in shared]})
    rows.sort(key=lambda r: (-r["jaccard"], -r["cosine"], r["a"], r["b"]))
    return rows


def cooccurrence_graph(measure_themes: dict[str, set[str]]) -> nx.Graph:
    """Themes linked when one measure treats both; `weight` = number of such measures."""
    G = nx.Graph()
    for themes in measure_themes.values():
        G.add_nodes_from(themes)
        for a, b in combinations(sorted(themes), 2):
            w = G.get_edge_data(a, b, {"weight": 0})["weight"]
            G.add_edge(a, b, weight=w + 1)
    return G


def theme_cooccurrence(measure_themes: dict[str, set[str]], labels: dict[str, str]) -> list[dict]:
    measures_of: dict[str, set[str]] = defaultdict(set)
    for m, themes in measure_themes.items():
        for t in themes:
            measures_of[t].add(m)
    G = cooccurrence_graph(measure_themes)
    rows = []
    for x, y, d in G.edges(data=True):
        a, b = sorted((x, y))
        rows.append({"a": a, "b": b, "a_label": labels.get(a, a), "b_label": labels.get(b, b),
                     "measures": d["weight"], "jaccard": round(jaccard(measures_of[a], measures_of[b]), 4)})
    rows.sort(key=lambda r: (-r["measures"], -r["jaccard"], r["a"], r["b"]))
    return rows


def central_themes(regions: dict[str, dict], measure_themes: dict[str, set[str]], labels: dict[str, str]) -> list[dict]:
    bipartite = nx.Graph()
    for key, reg in regions.items():
        bipartite.add_node(("region", key))
        for t in reg["themes"]:
            bipartite.add_edge(("region", key), ("theme", t))
    co = cooccurrence_graph(measure_themes)
    betweenness = nx.betweenness_centrality(co, normalized=True) if len(co) > 2 else {}
    measures = Counter(t for themes in measure_themes.values() for t in themes)
    n_regions = len(regions)
    rows = []
    for t in measures:
        n = bipartite.degree(("theme", t))
        rows.append({"theme": t, "label": labels.get(t, t), "regions": n,
                     "region_share": round(n / n_regions, 4) if n_regions else 0.0, "measures": measures[t],
                     "co_themes": co.degree(t) if t in co else 0,
                     "betweenness": round(betweenness.get(t, 0.0), 4)})
    rows.sort(key=lambda r: (-r["regions"], -r["measures"], -r["betweenness"], r["theme"]))
    return rows


def region_communities(regions: dict[str, dict], similarity: list[dict], labels: dict[str, str]) -> dict:
    """Louvain on the graph of region pairs more similar than the average pair: on the complete
    graph every region shares some theme with every other and modularity finds one blob."""
    threshold = sum(r["jaccard"] for r in similarity) / len(similarity) if similarity else 0.0
    G = nx.Graph()
    G.add_nodes_from(regions)
    G.add_weighted_edges_from((r["a"], r["b"], r["jaccard"]) for r in similarity if r["jaccard"] > threshold)
    if G.number_of_edges() == 0:
        groups = [{k} for k in regions]
    else:
        groups = nx.community.louvain_communities(G, weight="weight", seed=COMMUNITY_SEED)
    modularity = nx.community.modularity(G, groups, weight="weight") if G.number_of_edges() else 0.0
    out = []
    for group in groups:
        members = sorted(group)
        common = set.intersection(*(set(regions[k]["themes"]) for k in members)) if members else set()
        out.append({"regions": members, "labels": [regions[k]["label"] for k in members],
                    "common_themes": sorted(labels.get(t, t) for t in common)})
    out.sort(key=lambda c: (-len(c["regions"]), c["regions"]))
    return {"method": "louvain, Jaccard-weighted pairs above the mean", "threshold": round(threshold, 4),
            "seed": COMMUNITY_SEED,
            "modularity": round(modularity, 4) + 0.0,   # + 0.0: never print "-0.0"
            "groups": out}


def analyze(source) -> dict:
    """Every analysis on a store (or rdflib Graph) as one JSON-ready dict."""
    regions, labels, measure_themes = load(source)
    similarity = region_similarity(regions, labels)
    return {
        "regions": [{"id": k, "label": r["label"], "measures": len(r["measures"]), "themes": len(r["themes"])}
                    for k, r in sorted(regions.items())],
        "similarity": similarity,
        "central_themes": central_themes(regions, measure_themes, labels),
        "cooccurrence": theme_cooccurrence(measure_themes, labels),
        "communities": region_communities(regions, similarity, labels),
    }
