"""The graph as a picture: a networkx projection of the RDF graph, drawn with pyvis into ONE
self-contained HTML file that makes no request to any host.

- `project(store)` reads the built graph through SPARQL (any `kg.store` store, or an rdflib
  Graph) and returns a networkx Graph of regions, policies, measures, themes and beneficiary
  groups. Amounts, evidence sentences and responsible units are folded into the measures'
  tooltips (there are several per measure: as nodes they would bury the structure).
- `render(G, out)` draws it with pyvis, inlines vis-network's JavaScript and CSS from the
  pyvis package, strips every remote <link>/<script src> the pyvis template adds (bootstrap
  from a CDN), and adds a small script of ours: legend with type toggles, search, neighbourhood
  highlight, and `window.policykgReady` once the layout has stabilised and physics is off.

Readability at scale: beneficiary groups start hidden (toggle in the legend); above
`MEASURE_DETAIL_LIMIT` measures the page opens in the overview (policy -> theme edges weighted
by the number of measures) with measures one click away; measure and policy labels are only
drawn once zoomed in; the layout is computed once (forceAtlas2, bounded iterations), then physics
is switched off so the picture stays still.
"""
from __future__ import annotations

import json
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import networkx as nx
from rdflib import Graph, Literal, URIRef

from kg import vocab
from kg.errors import PolicyKGError

MEASURE_DETAIL_LIMIT = 300      # above this many measures the page opens in the overview
FONT_FACE = ('"Noto Sans CJK SC", "WenQuanYi Micro Hei", "Source Han Sans SC", "PingFang SC", '
             '"Microsoft YaHei", sans-serif')


@dataclass(frozen=True)
class Kind:
    id: str
    zh: str
    en: str
    color: str
    shape: str
    symbol: str          # the legend's swatch
    rank: int            # position in region -> policy -> measure -> theme/beneficiary
    visible: bool        # shown when the page opens
    font: int
    label_threshold: int  # label drawn only when its on-screen size reaches this (px)


KINDS = {k.id: k for k in (
    Kind("region", "地区", "region", "#d62728", "star", "★", 0, True, 26, 0),
    Kind("policy", "政策", "policy", "#1f77b4", "diamond", "◆", 1, True, 16, 9),
    Kind("measure", "措施", "measure", "#8da0b8", "dot", "●", 2, True, 11, 10),
    Kind("theme", "主题", "theme", "#ff7f0e", "dot", "●", 3, True, 17, 0),
    Kind("beneficiary", "受益对象", "beneficiary", "#8c564b", "triangle", "▲", 3, False, 13, 6),
)}
# Instrument classes (skos:broader of themes) get these colours in the order the graph lists them.
CLASS_PALETTE = ("#ff7f0e", "#2ca02c", "#9467bd", "#e377c2", "#17becf", "#bcbd22")
STATUS_ZH = {"in-force": "现行", "draft": "征求意见稿", "trial": "试行", "interpretation": "政策解读",
             "news": "新闻报道", "statement": "发言"}
KIND_OF_AMOUNT = {"cap": "上限", "fixed": "定额", "floor": "下限", "rate": "比例", "total": "总额",
                  "duration": "期限", "count": "数量", "stat": "统计"}

# --------------------------------------------------------------------------- reading the graph

_POLICIES = """
SELECT ?policy ?region ?regionLabel ?title ?label ?status ?issued ?docNumber ?issuer WHERE {
  ?policy a pkg:Policy ; pkg:region ?region .
  OPTIONAL { ?region skos:prefLabel ?regionLabel FILTER(langMatches(lang(?regionLabel), "zh")) }
  OPTIONAL { ?policy dct:title ?title }
  OPTIONAL { ?policy rdfs:label ?label }
  OPTIONAL { ?policy pkg:status ?status }
  OPTIONAL { ?policy dct:issued ?issued }
  OPTIONAL { ?policy pkg:docNumber ?docNumber }
  OPTIONAL { ?policy pkg:issuer/skos:prefLabel ?issuer }
}"""

_MEASURES = """
SELECT ?measure ?policy ?number ?order ?title ?part ?start ?text WHERE {
  ?measure a pkg:Measure ; pkg:ofPolicy ?policy ; pkg:number ?number .
  OPTIONAL { ?measure pkg:order ?order }
  OPTIONAL { ?measure dct:title ?title }
  OPTIONAL { ?measure pkg:partTitle ?part }
  OPTIONAL { ?measure pkg:span ?span . ?span oa:start ?start ; oa:exact ?text }
}"""

_CONCEPTS = """
SELECT ?measure ?prop ?concept ?label ?start ?end WHERE {
  VALUES ?prop { pkg:theme pkg:beneficiary }
  ?measure a pkg:Measure ; ?prop ?concept .
  OPTIONAL { ?concept skos:prefLabel ?label FILTER(langMatches(lang(?label), "zh")) }
  OPTIONAL { ?measure pkg:evidence ?ev . ?ev pkg:concept ?concept ; oa:start ?start ; oa:end ?end }
}"""

_THEME_CLASSES = """
SELECT ?theme ?en ?class ?classLabel WHERE {
  ?theme a pkg:Theme .
  OPTIONAL { ?theme skos:prefLabel ?en FILTER(langMatches(lang(?en), "en")) }
  OPTIONAL { ?theme skos:broader ?class . ?class a pkg:InstrumentClass .
             OPTIONAL { ?class skos:prefLabel ?classLabel FILTER(langMatches(lang(?classLabel), "zh")) } }
}"""

_AMOUNTS = """
SELECT ?measure ?amount ?value ?unit ?kind ?name ?start WHERE {
  ?measure a pkg:Measure ; pkg:hasAmount ?amount .
  ?amount schema:value ?value .
  OPTIONAL { ?amount oa:start ?start }
  OPTIONAL { ?amount schema:unitText ?unit }
  OPTIONAL { ?amount pkg:kind ?kind }
  OPTIONAL { ?amount schema:name ?name }
}"""

_UNITS = """
SELECT ?measure ?unit WHERE { ?measure a pkg:Measure ; pkg:responsibleUnit/skos:prefLabel ?unit }"""


def as_store(source):
    """A `kg.store` store as it is, or an rdflib Graph wrapped as one."""
    if isinstance(source, Graph):
        from kg.store.memory import MemoryStore
        return MemoryStore(source)
    return source


def _s(term) -> str | None:
    return None if term is None else str(term)


def _local(iri: str) -> str:
    return re.split(r"[/#]", iri.rstrip("/"))[-1]


def region_key(term) -> str:
    """The region id of a pkg:region value (reg:<id>), or the name when it is a literal."""
    return _local(str(term)) if isinstance(term, URIRef) else str(term)


def _resolve(names, resolver, what: str) -> set[str]:
    keys = set()
    for name in names or []:
        concept = resolver(name)
        if concept is None:
            raise PolicyKGError(f"unknown {what} '{name}' (see ontology/{what}s.ttl for ids and labels)")
        keys.add(concept.id)
    return keys


def evidence_sentence(text: str, start: int, end: int, limit: int = 90) -> str:
    """The sentence of `text` around [start, end), cut to about `limit` characters."""
    if not text or not (0 <= start < end <= len(text)):
        return ""
    stops = "。！？；;!?\n"
    a = max((text.rfind(c, 0, start) for c in stops), default=-1) + 1
    ends = [i for i in (text.find(c, end) for c in stops) if i >= 0]
    b = min(ends) + 1 if ends else len(text)
    sentence = text[a:b].strip()
    if len(sentence) > limit:   # keep the evidence in view
        mid = start - a + (end - start) // 2
        lo = max(0, min(len(sentence) - limit, mid - limit // 2))
        sentence = ("…" if lo else "") + sentence[lo:lo + limit] + ("…" if lo + limit < len(sentence) else "")
    return " ".join(sentence.split())


def format_value(value: float, unit: str | None) -> str:
    if unit == "CNY":
        for scale, word in ((1e8, "亿元"), (1e4, "万元"), (1, "元")):
            if abs(value) >= scale or scale == 1:
                return f"{value / scale:,.4g}{word}"
    if unit == "ratio":
        return f"{value * 100:.4g}%"
    return f"{value:,.4g}" + {"year": "年", "item": "项"}.get(unit or "", f" {unit or ''}").rstrip()


def _short(text: str, n: int) -> str:
    return text if len(text) <= n else text[:n - 1] + "…"


def project(source, regions: list[str] | None = None, themes: list[str] | None = None) -> nx.Graph:
    """The RDF graph as a networkx Graph, optionally limited to some regions and/or to the measures
    of some themes (names as a person types them: ids, zh/en labels, alternative wordings).

    Nodes carry `kind` (region|policy|measure|theme|beneficiary), `label`, `name`, `title` (the
    tooltip, plain text) and `measures` (how many measures they touch) or, for measures, `amount`
    (the largest CNY sum). Edges carry `kind` (policy|measure|theme|beneficiary)."""
    store = as_store(source)
    want_regions = _resolve(regions, vocab.resolve_region, "region")
    want_themes = _resolve(themes, vocab.resolve_theme, "theme")

    policies: dict[str, dict] = {}
    for r in store.select(_POLICIES)[1]:
        p = policies.setdefault(str(r["policy"]), {"region": region_key(r["region"])})
        for key in ("regionLabel", "title", "label", "status", "issued", "docNumber", "issuer"):
            if r[key] is not None:
                p.setdefault(key, str(r[key]))
    if want_regions:
        policies = {k: v for k, v in policies.items() if v["region"] in want_regions}

    measures: dict[str, dict] = {}
    for r in store.select(_MEASURES)[1]:
        if str(r["policy"]) not in policies:
            continue
        m = measures.setdefault(str(r["measure"]), {
            "policy": str(r["policy"]), "n": str(r["number"]), "concepts": {}, "amounts": {}, "units": []})
        for key in ("order", "title", "part", "start", "text"):
            if r[key] is not None:
                m.setdefault(key, r[key].toPython() if isinstance(r[key], Literal) else str(r[key]))

    concept_labels: dict[str, str] = {}
    for r in store.select(_CONCEPTS)[1]:
        m = measures.get(str(r["measure"]))
        if m is None:
            continue
        kind = "theme" if _local(str(r["prop"])) == "theme" else "beneficiary"
        cid = str(r["concept"])
        concept_labels.setdefault(cid, _s(r["label"]) or _local(cid))
        spans = m["concepts"].setdefault((kind, cid), [])
        if r["start"] is not None and r["end"] is not None:
            spans.append((int(r["start"]), int(r["end"])))
    if want_themes:
        measures = {k: m for k, m in measures.items()
                    if any(kind == "theme" and _local(c) in want_themes for kind, c in m["concepts"])}
        policies = {k: p for k, p in policies.items() if any(m["policy"] == k for m in measures.values())}
    if not measures and (want_regions or want_themes):
        raise PolicyKGError("no measure in the graph matches the given --region/--theme filter")

    for r in store.select(_AMOUNTS)[1]:
        m = measures.get(str(r["measure"]))
        if m is not None:
            m["amounts"][str(r["amount"])] = (float(r["value"]), _s(r["unit"]), _s(r["kind"]), _s(r["name"]),
                                              int(r["start"]) if r["start"] is not None else 0)
    for r in store.select(_UNITS)[1]:
        m = measures.get(str(r["measure"]))
        if m is not None and str(r["unit"]) not in m["units"]:
            m["units"].append(str(r["unit"]))

    theme_class: dict[str, tuple[str, str]] = {}
    theme_en: dict[str, str] = {}
    for r in store.select(_THEME_CLASSES)[1]:
        if r["class"] is not None:
            theme_class.setdefault(str(r["theme"]), (str(r["class"]), _s(r["classLabel"]) or _local(str(r["class"]))))
        if r["en"] is not None:
            theme_en.setdefault(str(r["theme"]), str(r["en"]))

    return _build_graph(policies, measures, concept_labels, theme_class, theme_en)


def _build_graph(policies, measures, concept_labels, theme_class, theme_en) -> nx.Graph:
    G = nx.Graph()
    region_policies: dict[str, list[str]] = defaultdict(list)
    for pid, p in policies.items():
        region_policies[p["region"]].append(pid)
    for key, pids in region_policies.items():
        label = next((policies[p]["regionLabel"] for p in pids if "regionLabel" in policies[p]), key)
        G.add_node(_region_node(key), kind="region", label=label, name=label, region=key)
    for pid, p in policies.items():
        # an untitled policy (a speech, a news report) is named by its region and genre
        title = p.get("title") or " · ".join(x for x in (p.get("regionLabel") or p["region"],
                                                          STATUS_ZH.get(p.get("status", ""), p.get("status"))) if x)
        G.add_node(pid, kind="policy", label=_short(title, 14), name=title, policy=p)
        G.add_edge(_region_node(p["region"]), pid, kind="policy")
    for mid, m in sorted(measures.items(), key=lambda kv: (kv[1]["policy"], kv[1].get("order", 0), kv[0])):
        head = f"{m['n']}. " if m["n"].isdigit() else ""
        title = m.get("title") or f"第{m['n']}条"
        cny = [v for v, unit, *_ in m["amounts"].values() if unit == "CNY"]
        G.add_node(mid, kind="measure", label=_short(head + title, 12), name=head + title, measure=m,
                   amount=max(cny) if cny else 0.0)
        G.add_edge(m["policy"], mid, kind="measure")
        for (kind, cid) in m["concepts"]:
            if cid not in G:
                attrs = {"kind": kind, "label": concept_labels[cid], "name": concept_labels[cid], "concept": _local(cid)}
                if kind == "theme":
                    cls, cls_label = theme_class.get(cid, ("", ""))
                    attrs.update(cls=cls, cls_label=cls_label, en=theme_en.get(cid, ""))
                G.add_node(cid, **attrs)
            G.add_edge(mid, cid, kind=kind)
    _count_measures(G)
    for node in G:
        G.nodes[node]["title"] = _tooltip(G, node)
    return G


def _region_node(key: str) -> str:
    return str(vocab.REG[key]) if re.fullmatch(r"[A-Za-z0-9_-]+", key) else f"region:{key}"


def _count_measures(G: nx.Graph) -> None:
    """`measures` on every non-measure node: how many measures it reaches."""
    for node, data in G.nodes(data=True):
        if data["kind"] in ("theme", "beneficiary"):
            data["measures"] = sum(1 for n in G[node] if G.nodes[n]["kind"] == "measure")
        elif data["kind"] == "policy":
            data["measures"] = sum(1 for n in G[node] if G.nodes[n]["kind"] == "measure")
    for node, data in G.nodes(data=True):
        if data["kind"] == "region":
            data["measures"] = sum(G.nodes[p]["measures"] for p in G[node])


def _region_of(G: nx.Graph, measure: str) -> str:
    policy = G.nodes[measure]["measure"]["policy"]
    return next(G.nodes[n]["label"] for n in G[policy] if G.nodes[n]["kind"] == "region")


def _tooltip(G: nx.Graph, node: str) -> str:
    d = G.nodes[node]
    kind = KINDS[d["kind"]]
    if d["kind"] == "measure":
        return _measure_tooltip(G, node)
    lines = [f"{d['name']}  · {kind.zh} {kind.en}"]
    if d["kind"] == "region":
        themes = Counter(t for p in G[node] for m in G[p] if G.nodes[m]["kind"] == "measure"
                         for t in G[m] if G.nodes[t]["kind"] == "theme")
        lines.append(f"政策 {G.degree(node)} · 措施 {d['measures']}")
        if themes:
            lines.append("主要主题: " + "、".join(f"{G.nodes[t]['label']}({c})" for t, c in
                                               sorted(themes.items(), key=lambda x: (-x[1], x[0]))[:6]))
    elif d["kind"] == "policy":
        p = d["policy"]
        meta = [p.get("regionLabel") or p["region"], p.get("status"), p.get("docNumber"), p.get("issued")]
        lines.append(" · ".join(x for x in meta if x))
        if p.get("issuer"):
            lines.append(f"发布: {p['issuer']}")
        lines.append(f"措施 {d['measures']}")
    else:
        if d.get("en"):
            lines[0] = f"{d['name']} ({d['en']})  · {kind.zh}" + (f" · {d['cls_label']}" if d.get("cls_label") else "")
        by_region = Counter(_region_of(G, m) for m in G[node])
        lines.append(f"措施 {d['measures']} · 地区 {len(by_region)}")
        lines.append("、".join(f"{r} {c}" for r, c in sorted(by_region.items(), key=lambda x: (-x[1], x[0]))))
    return "\n".join(lines)


def _measure_tooltip(G: nx.Graph, node: str) -> str:
    d = G.nodes[node]
    m = d["measure"]
    lines = [f"{_region_of(G, node)} · {d['name']}"]
    if m.get("part"):
        lines.append(f"({m['part']})")
    text, base = m.get("text", ""), m.get("start", 0)
    for (kind, cid), spans in sorted(m["concepts"].items()):
        if kind != "theme":
            continue
        sentence = next((s for a, b in sorted(spans) if (s := evidence_sentence(text, a - base, b - base))), "")
        lines.append(f"主题 {G.nodes[cid]['label']}" + (f": “{sentence}”" if sentence else ""))
    bens = [G.nodes[c]["label"] for (kind, c) in m["concepts"] if kind == "beneficiary"]
    if bens:
        lines.append("受益对象: " + "、".join(sorted(bens)))
    for value, unit, kind, name, _ in sorted(m["amounts"].values(), key=lambda a: (a[4], a[3] or "", a[0])):
        lines.append(f"金额: {name or ''} ({KIND_OF_AMOUNT.get(kind or '', kind or '')} {format_value(value, unit)})")
    if m["units"]:
        lines.append("责任单位: " + "、".join(sorted(m["units"])))
    return "\n".join(lines)


# --------------------------------------------------------------------------- drawing the graph

def _node_size(d: dict) -> float:
    """Radius in px: by the measures a node reaches, or for a measure by its largest CNY amount."""
    if d["kind"] == "measure":
        return 5 + 1.6 * max(0.0, math.log10(max(d["amount"], 1.0) / 1e4))
    base, step, top = {"region": (16, 3.0, 42), "policy": (9, 1.8, 24), "theme": (8, 2.6, 38),
                       "beneficiary": (7, 1.6, 22)}[d["kind"]]
    return min(top, base + step * math.sqrt(d.get("measures", 0)))


def _colors(G: nx.Graph) -> dict[str, str]:
    classes = sorted({(d.get("cls_label", ""), d["cls"]) for _, d in G.nodes(data=True)
                      if d["kind"] == "theme" and d.get("cls")})
    return {c: CLASS_PALETTE[i % len(CLASS_PALETTE)] for i, (_, c) in enumerate(classes)}


def _safe_title(text: str) -> str:
    # pyvis switches to an innerHTML popup when a title holds "href"; ours are plain text
    return text.replace("href", "hre\u200bf")


def physics_options(n_nodes: int) -> dict:
    iterations = int(min(1000, max(250, 1.5 * n_nodes)))
    return {
        "enabled": True, "solver": "forceAtlas2Based",
        "forceAtlas2Based": {"gravitationalConstant": -70, "centralGravity": 0.012, "springLength": 90,
                             "springConstant": 0.06, "damping": 0.55, "avoidOverlap": 0.5},
        "maxVelocity": 60, "minVelocity": 1.0, "timestep": 0.45,
        "stabilization": {"enabled": True, "iterations": iterations, "updateInterval": 25, "fit": True},
    }


def network_options(n_nodes: int) -> dict:
    return {
        "autoResize": True,
        "layout": {"randomSeed": 7, "improvedLayout": n_nodes <= 150},
        "physics": physics_options(n_nodes),
        "interaction": {"hover": True, "tooltipDelay": 120, "hideEdgesOnDrag": n_nodes > 400,
                        "hideEdgesOnZoom": n_nodes > 400, "navigationButtons": False, "multiselect": False},
        "nodes": {"borderWidth": 1, "font": {"face": FONT_FACE}},
        "edges": {"smooth": False, "selectionWidth": 2, "hoverWidth": 0.5},
    }


def render(G: nx.Graph, out: str | Path, title: str = "policykg · 科技成果转化政策图谱",
           show_measures: bool | None = None) -> Path:
    """Write the self-contained HTML page for `G` to `out` and return the path."""
    from pyvis.network import Network

    out = Path(out)
    if G.number_of_nodes() == 0:
        raise PolicyKGError("the graph holds no policy; run `policykg build` on a corpus first")
    n_measures = sum(1 for _, d in G.nodes(data=True) if d["kind"] == "measure")
    if show_measures is None:
        show_measures = n_measures <= MEASURE_DETAIL_LIMIT
    visible = {k.id: k.visible for k in KINDS.values()} | {"measure": show_measures}
    class_colors = _colors(G)
    fonts = {k.id: k.font for k in KINDS.values()}
    thresholds = {k.id: k.label_threshold for k in KINDS.values()}
    counts = Counter(d["kind"] for _, d in G.nodes(data=True))
    if counts["region"] > 20:
        fonts.update(region=18, theme=20)   # many regions: the themes are the landmarks
    if counts["policy"] > 30:
        thresholds["policy"] = 14           # many policies: their titles only once zoomed in

    net = Network(height="100vh", width="100%", directed=True, bgcolor="#ffffff", cdn_resources="in_line")
    for node, d in sorted(G.nodes(data=True), key=lambda x: (KINDS[x[1]["kind"]].rank, x[0])):
        kind = KINDS[d["kind"]]
        color = class_colors.get(d.get("cls", ""), kind.color)
        net.add_node(
            node, label=d["label"], shape=kind.shape, title=_safe_title(d["title"]), kind=kind.id,
            name=d["name"], size=round(_node_size(d), 1), hidden=not visible[kind.id], physics=visible[kind.id],
            color={"background": color, "border": _darker(color),
                   "highlight": {"background": color, "border": "#222222"},
                   "hover": {"background": color, "border": "#222222"}},
            font={"size": fonts[kind.id], "face": FONT_FACE, "color": "#222222", "strokeWidth": 3,
                  "strokeColor": "#ffffff", **({"bold": True} if kind.id == "region" else {})},
            scaling={"label": {"drawThreshold": thresholds[kind.id]}})
    edge_style = {"policy": (2.0, "rgba(214,39,40,0.55)", 45), "measure": (1.0, "rgba(31,119,180,0.35)", 55),
                  "theme": (0.6, None, 130), "beneficiary": (0.5, "rgba(140,86,75,0.35)", 120)}
    def downward(edge):   # (upper, lower, data) in the region -> theme order; sorted: same graph, same page
        a, b, e = edge
        return (b, a, e) if KINDS[G.nodes[a]["kind"]].rank > KINDS[G.nodes[b]["kind"]].rank else (a, b, e)

    for a, b, e in sorted(map(downward, G.edges(data=True)), key=lambda x: (x[0], x[1])):
        width, color, length = edge_style[e["kind"]]
        if color is None:
            color = _rgba(class_colors.get(G.nodes[b].get("cls", ""), KINDS["theme"].color), 0.35)
        shown = visible[G.nodes[a]["kind"]] and visible[G.nodes[b]["kind"]]
        net.add_edge(a, b, kind=e["kind"], width=width, color=color, length=length, hidden=not shown,
                     physics=shown, arrows="")
    # overview edges: policy -> theme, weighted by the measures that link them; shown instead of measures
    for policy, d in sorted(G.nodes(data=True)):
        if d["kind"] != "policy":
            continue
        weights = Counter(t for m in G[policy] if G.nodes[m]["kind"] == "measure"
                          for t in G[m] if G.nodes[t]["kind"] == "theme")
        for theme, w in sorted(weights.items()):
            color = _rgba(class_colors.get(G.nodes[theme].get("cls", ""), KINDS["theme"].color), 0.3)
            net.add_edge(policy, theme, kind="overview", overview=True, width=round(0.4 + 0.8 * math.log2(1 + w), 2),
                         color=color, length=150, hidden=show_measures, physics=not show_measures,
                         title=f"{d['label']} → {G.nodes[theme]['label']}: 措施 {w}", arrows="")
    net.options = network_options(sum(visible[G.nodes[n]["kind"]] for n in G))

    html = net.generate_html(name=out.name)
    html = make_offline(html)
    html = _add_page_ui(html, G, title, visible, class_colors)
    problems = remote_references(html)
    if problems:   # a pyvis upgrade could add new remote resources: refuse rather than leak requests
        raise RuntimeError(f"the page still references remote resources: {problems[:3]}")
    from kg.build import atomic_write
    atomic_write(out, html)
    return out


def _darker(hex_color: str, factor: float = 0.7) -> str:
    r, g, b = (int(hex_color[i:i + 2], 16) for i in (1, 3, 5))
    return "#%02x%02x%02x" % (int(r * factor), int(g * factor), int(b * factor))


def _rgba(hex_color: str, alpha: float) -> str:
    r, g, b = (int(hex_color[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


# --------------------------------------------------------------------------- an offline page

_REMOTE_TAG = re.compile(
    r"<link\b[^>]*\bhref\s*=\s*[\"']?(?:https?:)?//[^>]*>"
    r"|<script\b[^>]*\bsrc\s*=\s*[\"']?(?:https?:)?//[^>]*>\s*</script\s*>", re.I | re.S)
_EMPTY_HEADING = re.compile(r"<center>\s*<h1>\s*</h1>\s*</center>", re.I)
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
_STYLE = re.compile(r"<style\b[^>]*>(.*?)</style\s*>|\bstyle\s*=\s*\"([^\"]*)\"", re.I | re.S)


def make_offline(html: str) -> str:
    """Drop every <link>/<script> that loads from another host (pyvis links bootstrap from a CDN
    even with cdn_resources='in_line'; vis-network itself is inlined from the pyvis package)."""
    html = _HTML_COMMENT.sub("", html)   # the template keeps commented-out <link>s
    html = _REMOTE_TAG.sub("", html)
    return _EMPTY_HEADING.sub("", html)


def remote_references(html: str) -> list[str]:
    """Everything in the page that would make the browser fetch a resource: <script src>, <link
    href>, <img|iframe|source src>, CSS url(...) and @import that are not data: URIs."""
    found = []
    for m in re.finditer(r"<(script|link|img|iframe|source|embed|object)\b[^>]*?\b(src|href|data)\s*=\s*[\"']?([^\"'\s>]+)",
                         html, re.I):
        if not m.group(3).startswith("data:"):
            found.append(m.group(0)[:120])
    for style in _STYLE.finditer(html):
        css = style.group(1) or style.group(2) or ""
        for m in re.finditer(r"url\(\s*[\"']?([^\"')]+)", css, re.I):
            if not m.group(1).startswith(("data:", "#")):
                found.append(m.group(0)[:120])
        found += [m.group(0)[:120] for m in re.finditer(r"@import\s+[^;]+;", css, re.I)]
    return found


def _add_page_ui(html: str, G: nx.Graph, title: str, visible: dict[str, bool], class_colors: dict) -> str:
    counts = Counter(d["kind"] for _, d in G.nodes(data=True))
    classes = {}
    for _, d in G.nodes(data=True):
        if d["kind"] == "theme" and d.get("cls"):
            classes[d["cls"]] = d.get("cls_label") or _local(d["cls"])
    config = {
        "title": title,
        "kinds": [{"id": k.id, "zh": k.zh, "en": k.en, "color": k.color, "symbol": k.symbol, "rank": k.rank,
                   "visible": visible[k.id], "count": counts.get(k.id, 0)} for k in KINDS.values()],
        "classes": [{"label": label, "color": class_colors[c]} for c, label in sorted(classes.items(), key=lambda x: x[1])],
        "maxWaitMs": 120000,
    }
    head_style = f"<style>{_PAGE_CSS}</style>\n</head>"
    html = html.replace("</head>", head_style, 1)
    script = _PAGE_JS.replace("/*CONFIG*/null", json.dumps(config, ensure_ascii=False).replace("</", "<\\/"))
    marker = html.rfind("drawGraph();")
    if marker < 0:
        raise RuntimeError("unexpected pyvis template: no drawGraph() call")
    at = marker + len("drawGraph();")
    return html[:at] + "\n" + script + html[at:]


_PAGE_CSS = """
html, body { margin: 0; padding: 0; height: 100%; overflow: hidden; background: #fff; }
body { font-family: %FONT%; }
.card { border: 0 !important; }
#mynetwork { border: 0 !important; float: none !important; }
div.vis-tooltip { white-space: pre-wrap !important; max-width: 460px; font-family: %FONT%;
  font-size: 13px; line-height: 1.45; padding: 8px 10px; background: #fffef6; border: 1px solid #bbb;
  box-shadow: 2px 2px 8px rgba(0,0,0,.15); }
#pkg-panel { position: fixed; top: 12px; left: 12px; z-index: 10; background: rgba(255,255,255,.93);
  border: 1px solid #ddd; border-radius: 8px; padding: 10px 12px; font-size: 13px; color: #222;
  box-shadow: 0 1px 6px rgba(0,0,0,.12); max-width: 300px; }
#pkg-panel h2 { font-size: 15px; margin: 0 0 4px; }
#pkg-panel .stats { color: #555; margin-bottom: 8px; }
#pkg-panel .row { display: flex; align-items: center; gap: 6px; margin: 2px 0; cursor: pointer; user-select: none; }
#pkg-panel .sym { width: 16px; text-align: center; font-size: 15px; }
#pkg-panel .sub { margin-left: 40px; font-size: 12px; color: #444; display: flex; gap: 6px; align-items: center; }
#pkg-panel .n { color: #777; }
#pkg-search { width: 190px; padding: 3px 6px; font-size: 13px; }
#pkg-panel button { font-size: 12px; padding: 2px 8px; }
#pkg-panel .hint { color: #777; font-size: 11px; margin-top: 6px; }
""".replace("%FONT%", FONT_FACE)

_PAGE_JS = r"""
// policykg: legend, type toggles, search and neighbourhood highlight; readiness flag for tests.
(function () {
  var cfg = /*CONFIG*/null;
  var net = network, N = nodes, E = edges;
  var rank = {}, shown = {};
  cfg.kinds.forEach(function (k) { rank[k.id] = k.rank; shown[k.id] = k.visible; });
  var base = {}, baseEdge = {};
  N.forEach(function (n) { base[n.id] = {color: n.color, font: n.font}; });
  E.forEach(function (e) { baseEdge[e.id] = {color: e.color, width: e.width}; });
  var focused = null, done = false;

  function el(tag, attrs, text) {
    var x = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { x.setAttribute(k, attrs[k]); });
    if (text !== undefined) x.textContent = text;
    return x;
  }

  // ---- legend with toggles, search box
  var panel = el("div", {id: "pkg-panel"});
  panel.appendChild(el("h2", {}, cfg.title));
  panel.appendChild(el("div", {"class": "stats"}, cfg.kinds.filter(function (k) { return k.count; })
    .map(function (k) { return k.zh + " " + k.count; }).join(" · ")));
  var search = el("input", {id: "pkg-search", list: "pkg-names", placeholder: "搜索 地区/主题/政策… search"});
  var names = el("datalist", {id: "pkg-names"});
  var seen = {};
  N.get().sort(function (a, b) { return rank[a.kind] - rank[b.kind]; }).forEach(function (n) {
    if (seen[n.name]) return; seen[n.name] = 1;
    names.appendChild(el("option", {value: n.name}));
  });
  var reset = el("button", {type: "button", id: "pkg-reset"}, "重置 reset");
  var line = el("div", {"class": "row"}); line.appendChild(search); line.appendChild(reset);
  panel.appendChild(line); panel.appendChild(names);
  cfg.kinds.forEach(function (k) {
    if (!k.count) return;
    var row = el("label", {"class": "row"});
    var box = el("input", {type: "checkbox", "data-kind": k.id});
    box.checked = k.visible;
    box.addEventListener("change", function () { setKind(k.id, box.checked); });
    var sym = el("span", {"class": "sym"}, k.symbol); sym.style.color = k.color;
    row.appendChild(box); row.appendChild(sym);
    row.appendChild(el("span", {}, k.zh + " " + k.en + " "));
    row.appendChild(el("span", {"class": "n"}, "(" + k.count + ")"));
    panel.appendChild(row);
    if (k.id === "theme") cfg.classes.forEach(function (c) {
      var sub = el("div", {"class": "sub"});
      var s = el("span", {}, "●"); s.style.color = c.color;
      sub.appendChild(s); sub.appendChild(el("span", {}, c.label));
      panel.appendChild(sub);
    });
  });
  panel.appendChild(el("div", {"class": "hint"},
    "点击节点高亮其关联，点空白处还原；悬停看措施原文与金额。Click a node to highlight its chain, hover for evidence."));
  document.body.appendChild(panel);

  // ---- visibility of node types (measures hidden => policy->theme overview edges shown)
  function setKind(kind, on) {
    shown[kind] = on;
    var box = document.querySelector('#pkg-panel input[data-kind="' + kind + '"]');
    if (box) box.checked = on;
    var nu = [], fresh = [];
    N.forEach(function (n) {
      var hide = !shown[n.kind];
      if (!!n.hidden !== hide) { nu.push({id: n.id, hidden: hide, physics: !hide}); if (!hide) fresh.push(n.id); }
    });
    N.update(nu);
    var eu = [];
    E.forEach(function (e) {
      var f = N.get(e.from), t = N.get(e.to);
      var hide = f.hidden || t.hidden || (e.overview ? shown.measure : false);
      if (!!e.hidden !== hide) eu.push({id: e.id, hidden: hide, physics: !hide});
    });
    E.update(eu);
    if (fresh.length) place(fresh);
    if (focused !== null) highlight(focused);
  }

  // new nodes start beside their visible neighbours, then a short layout pass settles them
  function place(ids) {
    var pos = net.getPositions();
    ids.forEach(function (id, i) {
      var xs = 0, ys = 0, k = 0;
      net.getConnectedNodes(id).forEach(function (v) {
        var nv = N.get(v); if (nv && !nv.hidden && pos[v]) { xs += pos[v].x; ys += pos[v].y; k++; }
      });
      if (k) {
        var a = 2.399963 * i;   // golden angle: spread siblings around the centre
        net.moveNode(id, xs / k + 30 * Math.cos(a), ys / k + 30 * Math.sin(a));
      }
    });
    // a short live simulation, not stabilize(): that would bring back pyvis' loading overlay
    net.setOptions({physics: {enabled: true}});
    var off = function () { net.setOptions({physics: {enabled: false}}); };
    net.once("stabilized", off);
    setTimeout(off, 4000);
  }

  // ---- highlight: the chain through the node, walking region -> policy -> measure -> theme
  function chain(id) {
    var keep = {}; keep[id] = true;
    [-1, 1].forEach(function (dir) {
      var frontier = [id];
      while (frontier.length) {
        var next = [];
        frontier.forEach(function (u) {
          var ru = rank[N.get(u).kind];
          net.getConnectedNodes(u).forEach(function (v) {
            var nv = N.get(v);
            if (!nv || nv.hidden || keep[v]) return;
            if ((rank[nv.kind] - ru) * dir > 0) { keep[v] = true; next.push(v); }
          });
        });
        frontier = next;
      }
    });
    return keep;
  }

  function highlight(id) {
    focused = id;
    var keep = chain(id);
    N.update(N.get().map(function (n) {
      if (keep[n.id]) return {id: n.id, color: base[n.id].color, font: base[n.id].font};
      return {id: n.id, color: {background: "#eeeeee", border: "#dddddd"},
              font: Object.assign({}, base[n.id].font, {color: "#c8c8c8"})};
    }));
    E.update(E.get().map(function (e) {
      if (keep[e.from] && keep[e.to]) return {id: e.id, color: baseEdge[e.id].color, width: baseEdge[e.id].width * 1.8};
      return {id: e.id, color: "rgba(210,210,210,0.18)", width: baseEdge[e.id].width};
    }));
    window.policykgHighlighted = Object.keys(keep);
  }

  function clear() {
    focused = null;
    N.update(N.get().map(function (n) { return {id: n.id, color: base[n.id].color, font: base[n.id].font}; }));
    E.update(E.get().map(function (e) { return {id: e.id, color: baseEdge[e.id].color, width: baseEdge[e.id].width}; }));
    net.unselectAll();
    window.policykgHighlighted = [];
  }

  function find(text) {
    text = (text || "").trim().toLowerCase();
    if (!text) return null;
    var all = N.get().sort(function (a, b) { return rank[a.kind] - rank[b.kind]; });
    var hit = all.filter(function (n) { return n.name.toLowerCase() === text || n.label.toLowerCase() === text; })[0]
      || all.filter(function (n) { return n.name.toLowerCase().indexOf(text) >= 0; })[0]
      || all.filter(function (n) { return (n.title || "").toLowerCase().indexOf(text) >= 0; })[0];
    return hit || null;
  }

  function focus(text) {
    var n = find(text);
    if (!n) { search.style.background = "#fde2e2"; return null; }
    search.style.background = "";
    if (!shown[n.kind]) setKind(n.kind, true);
    highlight(n.id);
    net.selectNodes([n.id]);
    net.focus(n.id, {scale: Math.max(net.getScale(), 0.9), animation: {duration: 400}});
    return n.id;
  }

  search.addEventListener("change", function () { focus(search.value); });
  search.addEventListener("keydown", function (ev) { if (ev.key === "Enter") focus(search.value); });
  reset.addEventListener("click", function () { search.value = ""; clear(); fitBesidePanel(); });
  net.on("click", function (p) { if (p.nodes.length) highlight(p.nodes[0]); else clear(); });

  // fit the graph into the part of the canvas the legend does not cover
  function fitBesidePanel() {
    net.fit({animation: false});
    var w = net.canvas.frame.canvas.clientWidth, pw = panel.offsetWidth + 24;
    if (w < 3 * pw) return;
    var pos = net.getPositions(N.getIds({filter: function (n) { return !n.hidden; }}));
    var xs = Object.keys(pos).map(function (k) { return pos[k].x; });
    if (!xs.length) return;
    var lo = Math.min.apply(null, xs) - 60, hi = Math.max.apply(null, xs) + 60;
    var scale = Math.min(net.getScale(), (w - pw) / (hi - lo));
    net.moveTo({position: {x: (lo + hi) / 2 - pw / 2 / scale, y: net.getViewPosition().y}, scale: scale,
                animation: false});
  }

  // ---- layout once, then still: physics off after stabilisation; tests wait for policykgReady
  function finish() {
    net.setOptions({physics: {enabled: false}});
    if (done) return;
    done = true;
    var bar = document.getElementById("loadingBar");
    if (bar) bar.style.display = "none";
    fitBesidePanel();
    net.once("afterDrawing", function () { window.policykgReady = true; });
    net.redraw();
  }
  net.on("stabilizationIterationsDone", finish);
  setTimeout(finish, cfg.maxWaitMs);
  window.policykg = {focus: focus, highlight: highlight, clear: clear, setKind: setKind, find: find};
})();
"""
