"""The HTML graph: the projection of the RDF graph, an offline page, and the page as a browser
draws it (headless Chromium, network blocked), for the corpus and for a corpus ten times larger.

The browser tests need Debian's `chromium` and a CJK font; `tests/setup_browser.sh` (run by
`make test`) installs them where missing. Without them those tests skip and say why.
"""
from __future__ import annotations

import copy
import json
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from conftest import CORPUS, ROOT, gold, gold_files


def _gold_docs() -> list[dict]:
    return [json.loads(f.read_text(encoding="utf-8")) for f in gold_files()]


@pytest.fixture(scope="module")
def gold_graph():
    from kg.goldjson import from_gold
    from kg.rdf import to_graph
    return to_graph([from_gold(d) for d in _gold_docs()])


@pytest.fixture(scope="module")
def corpus_store(built):
    from kg.store import open_store
    out, _ = built
    return open_store("oxigraph", out)


@pytest.fixture(scope="module")
def corpus_page(built, corpus_store, tmp_path_factory):
    from kg.viz import project, render
    G = project(corpus_store)
    return G, render(G, tmp_path_factory.mktemp("viz") / "graph.html")


def _kinds(G) -> Counter:
    return Counter(d["kind"] for _, d in G.nodes(data=True))


# ------------------------------------------------------------------ projection

def test_projection_holds_the_gold_facts(gold_graph):
    from kg.viz import project
    G = project(gold_graph)
    docs = _gold_docs()
    sources = [s for d in docs for s in d["sources"]]
    measures = [m for s in sources for m in s["measures"]]
    kinds = _kinds(G)
    assert kinds["policy"] == len(sources) and kinds["measure"] == len(measures)
    assert {d["label"] for _, d in G.nodes(data=True) if d["kind"] == "region"} == {s["region"] for s in sources}
    assert {d["concept"] for _, d in G.nodes(data=True) if d["kind"] == "theme"} == \
        {t for m in measures for t in m["themes"]}
    # every measure is linked to exactly its gold themes and sits under its region
    for s in sources:
        for m in s["measures"]:
            node = next(n for n, d in G.nodes(data=True) if d["kind"] == "measure"
                        and d["measure"]["n"] == str(m["n"]) and s["region"] in d["title"].split("\n")[0]
                        and G.nodes[d["measure"]["policy"]]["policy"].get("title") == s.get("policy_title"))
            themes = {G.nodes[t]["concept"] for t in G[node] if G.nodes[t]["kind"] == "theme"}
            assert themes == set(m["themes"]), (s["region"], m["n"])


def test_region_and_theme_filters(gold_graph):
    from kg import vocab
    from kg.viz import project
    weihai = gold("002_a2c5bfed3da1a70b")["sources"][0]
    G = project(gold_graph, regions=["威海"])
    assert {d["label"] for _, d in G.nodes(data=True) if d["kind"] == "region"} == {weihai["region"]}
    assert _kinds(G)["measure"] == len(weihai["measures"])

    theme = vocab.resolve_theme("先用后转")       # an alternative wording of pay-after-use
    expected = [(s["region"], m["n"]) for d in _gold_docs() for s in d["sources"] for m in s["measures"]
                if theme.id in m["themes"]]
    G = project(gold_graph, themes=["先用后转"])
    measures = [n for n, d in G.nodes(data=True) if d["kind"] == "measure"]
    assert len(measures) == len(expected) > 0
    assert all(str(vocab.THEME[theme.id]) in G[m] for m in measures)
    assert {d["label"] for _, d in G.nodes(data=True) if d["kind"] == "region"} == {r for r, _ in expected}


def test_unknown_region_is_a_one_line_error(built):
    out, _ = built
    r = subprocess.run([sys.executable, "-m", "kg", "viz", "--build", str(out), "--region", "Atlantis"],
                       cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert r.returncode == 2 and "Atlantis" in r.stderr and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_evidence_sentences_and_amounts_in_tooltips(corpus_page):
    G, _ = corpus_page
    texts = {p.stem: " ".join(p.read_text(encoding="utf-8", errors="replace").split()) for p in CORPUS.glob("*.txt")}
    checked = 0
    for _, d in G.nodes(data=True):
        if d["kind"] != "measure" or not d["measure"]["amounts"]:
            continue
        doc = d["measure"]["policy"].rsplit("/", 1)[-1]
        for value, unit, kind, name, start in d["measure"]["amounts"].values():
            assert name in d["title"]
        for line in d["title"].splitlines():
            if line.startswith("主题 ") and "“" in line:
                quote = line.split("“", 1)[1].rsplit("”", 1)[0].strip("…")
                assert quote in texts[doc], (doc, quote)
                checked += 1
    assert checked > 20


def test_page_is_self_contained(corpus_page):
    from kg.viz import remote_references
    _, path = corpus_page
    html = path.read_text(encoding="utf-8")
    assert remote_references(html) == []
    assert "cdn.jsdelivr" not in html and "cdnjs" not in html
    assert "vis.Network" in html and "policykgReady" in html   # vis-network inlined, our script added
    # the checker itself does catch what pyvis' template would have loaded
    assert remote_references('<link href="https://cdn.example/x.css" rel="stylesheet">')
    assert remote_references('<script src="//cdn.example/vis.js"></script>')
    assert remote_references("<style>@font-face { src: url(https://fonts.example/a.woff) }</style>")


# ------------------------------------------------------------------ in the browser

def _require_browser():
    from kg.screenshot import browser_problem
    problem = browser_problem()
    if problem:
        pytest.skip(problem)
    fonts = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True) \
        if shutil.which("fc-list") else None
    if fonts is None or not fonts.stdout.strip():
        pytest.skip("no CJK font for the Chinese labels (run tests/setup_browser.sh: fonts-wqy-microhei)")


def _not_blank(png: Path) -> tuple[int, float]:
    from PIL import Image
    img = Image.open(png).convert("RGB")
    colours = img.getcolors(maxcolors=1 << 24)
    background = max(colours)[1]
    inked = sum(n for n, c in colours if sum(abs(a - b) for a, b in zip(c, background)) > 30)
    return len(colours), inked / (img.width * img.height)


def test_corpus_graph_in_headless_chromium(corpus_page, tmp_path):
    _require_browser()
    from kg import vocab
    from kg.screenshot import open_graph
    G, path = corpus_page
    pay_after_use = vocab.resolve_theme("pay-after-use")
    report = open_graph(path, tmp_path / "graph.png", actions=f"() => [window.policykg.focus("
                        f"{json.dumps(pay_after_use.zh)}), window.policykgHighlighted]")
    assert report.blocked == [] and report.console_errors == []
    page = {n["id"]: n for n in report.nodes}
    assert set(page) == set(G)                                   # the page's own data is the graph
    regions = {n["label"] for n in page.values() if n["kind"] == "region"}
    assert {s["region"] for d in _gold_docs() for s in d["sources"]} <= regions
    themes = {n["label"] for n in page.values() if n["kind"] == "theme"}
    assert pay_after_use.zh in themes
    assert all(not n["hidden"] for n in page.values() if n["kind"] in ("region", "policy", "theme"))
    # the highlight after searching the theme: its measures, their policies and regions
    theme_node = str(vocab.THEME[pay_after_use.id])
    measures = set(G[theme_node])
    policies = {G.nodes[m]["measure"]["policy"] for m in measures}
    regions_of = {r for p in policies for r in G[p] if G.nodes[r]["kind"] == "region"}
    found, highlighted = report.action_result
    assert found == theme_node
    assert set(highlighted) == {theme_node} | measures | policies | regions_of
    # drawn: pixels on the canvas, and a screenshot that is not blank
    assert report.canvas_pixels > 10_000
    colours, inked = _not_blank(report.screenshot)
    assert colours > 50 and inked > 0.02


def test_blocked_requests_are_caught(tmp_path):
    """The browser harness records what a page tries to fetch: a page that loads a CDN script fails."""
    _require_browser()
    from kg.screenshot import open_graph
    page = tmp_path / "leaky.html"
    page.write_text('<html><head><script src="https://cdn.jsdelivr.net/npm/x.js"></script></head>'
                    '<body><div id="mynetwork"><canvas></canvas></div><script>var network = {body: {data: '
                    '{nodes: {get: () => []}, edges: {length: 0}}}}; window.policykgReady = true;</script>'
                    '</body></html>', encoding="utf-8")
    report = open_graph(page)
    assert report.blocked == ["https://cdn.jsdelivr.net/npm/x.js"]


def _tenfold(docs):
    """The corpus ten times over: copies of every document whose sources speak for other regions."""
    from kg import vocab
    used = {s.region_id for d in docs for s in d.sources}
    spare = iter(r for r, c in sorted(vocab.regions().items()) if r not in used)
    out = list(docs)
    for k in range(1, 10):
        for d in docs:
            c = copy.deepcopy(d)
            c.doc = f"{d.doc}-copy{k}"
            for s in c.sources:
                region = vocab.regions()[next(spare)]
                s.region_id, s.region = region.id, region.zh
            out.append(c)
    return out


def test_tenfold_corpus_stays_usable(processed, tmp_path):
    from kg.rdf import ntriples, to_graph
    from kg.store.oxigraph import OxigraphStore
    from kg.viz import MEASURE_DETAIL_LIMIT, project, render
    docs = _tenfold(list(processed.values()))
    nt = tmp_path / "graph.nt"
    nt.write_text(ntriples(to_graph(docs)), encoding="utf-8")
    G = project(OxigraphStore.from_ntriples(nt, tmp_path / "store"))
    kinds = _kinds(G)
    assert kinds["policy"] == 10 * sum(len(d.sources) for d in processed.values())
    assert kinds["measure"] > MEASURE_DETAIL_LIMIT
    path = render(G, tmp_path / "graph.html")
    assert path.stat().st_size < 12_000_000
    _require_browser()
    from kg.screenshot import open_graph
    report = open_graph(path, tmp_path / "graph.png", timeout_s=240)
    assert report.blocked == [] and report.console_errors == []
    assert len(report.nodes) == G.number_of_nodes()
    shown = Counter(n["kind"] for n in report.nodes if not n["hidden"])
    assert shown["measure"] == 0 and shown["theme"] == kinds["theme"]   # opens in the overview
    assert report.canvas_pixels > 10_000 and _not_blank(report.screenshot)[1] > 0.02


def test_same_graph_same_page_whatever_the_store(gold_graph, tmp_path):
    """Rows come back in store-specific order; the page must not depend on it (the layout does)."""
    from kg.rdf import ntriples
    from kg.store.oxigraph import OxigraphStore
    from kg.viz import project, render
    nt = tmp_path / "gold.nt"
    nt.write_text(ntriples(gold_graph), encoding="utf-8")
    a = render(project(gold_graph), tmp_path / "memory.html").read_bytes()
    b = render(project(OxigraphStore.from_ntriples(nt, tmp_path / "store")), tmp_path / "oxigraph.html").read_bytes()
    assert a == b
