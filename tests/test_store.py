"""The three stores (rdflib in memory, embedded Oxigraph, a remote SPARQL server) give the same
answers to the named queries and the comparisons. The remote one is a real Oxigraph server
process started here on 127.0.0.1, loaded with `policykg push` as a user would."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter

import pytest
from rdflib import Literal, URIRef

from conftest import ROOT, gold_files
from kg import compare, query, vocab
from kg.errors import PolicyKGError
from kg.serve import free_port, oxigraph_binary, wait_until_serving
from kg.store import open_store
from kg.store.remote import RemoteStore, with_values


def run_cli(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kg", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)


@pytest.fixture(scope="module")
def oxigraph_server():
    """A read-write Oxigraph server in memory on a free loopback port; always stopped."""
    port = free_port()
    proc = subprocess.Popen([oxigraph_binary(), "serve", "--bind", f"127.0.0.1:{port}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_until_serving("127.0.0.1", port, proc, timeout=30)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        proc.stderr.close()


@pytest.fixture(scope="module")
def pushed(built, oxigraph_server):
    """The built graph pushed into the server by the CLI (SPARQL Update, in small batches)."""
    out, _ = built
    url = f"{oxigraph_server}/query"
    r = run_cli("push", "--store", url, "--build", str(out), "--replace", "--batch", "3000")
    assert r.returncode == 0, r.stderr
    return url


@pytest.fixture(scope="module")
def stores(built, pushed):
    out, _ = built
    return {"memory": open_store("memory", out), "oxigraph": open_store("oxigraph", out),
            "remote": open_store(pushed, out)}


def _gold_themes_and_regions() -> tuple[list[str], list[str]]:
    """The two themes most gold sources share, and the regions of single-source gold texts."""
    themes, regions = Counter(), []
    for path in gold_files():
        data = json.loads(path.read_text(encoding="utf-8"))
        for s in data["sources"]:
            themes.update({t for m in s["measures"] for t in m["themes"]})
        if len(data["sources"]) == 1:
            regions.append(data["sources"][0]["region"])
    ranked = sorted(themes.items(), key=lambda kv: (-kv[1], kv[0]))   # ties by id: same every run
    return [t for t, _ in ranked[:2]], regions


def canonical(value):
    """The same content whatever the order of lists (stores may order ties differently)."""
    if isinstance(value, dict):
        return {k: canonical(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return sorted((canonical(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True, default=str))
    return value


def test_push_loads_every_triple(built, stores):
    out, result = built
    lines = sum(1 for line in (out / "graph.nt").open(encoding="utf-8") if line.strip())
    assert len(stores["remote"]) == len(stores["oxigraph"]) == len(stores["memory"]) == lines == result.triples


def test_comparisons_agree_on_every_store(stores):
    themes, regions = _gold_themes_and_regions()
    assert len(themes) == 2 and len(regions) >= 2
    answers = {}
    for name, store in stores.items():
        answers[name] = {"matrix": compare.matrix(store),
                         "cities": compare.compare_cities(store, regions[:2]),
                         **{f"theme {t}": compare.compare_theme(store, t) for t in themes}}
    for key in answers["oxigraph"]:
        assert answers["oxigraph"][key] == answers["remote"][key], key     # same engine: same order too
        assert canonical(answers["memory"][key]) == canonical(answers["oxigraph"][key]), key
    # and they are not empty: each theme is found in the regions the gold says treat it
    for t in themes:
        assert answers["remote"][f"theme {t}"]["regions"]


_GROUP_CONCAT = re.compile(r'GROUP_CONCAT\s*\(\s*(?:DISTINCT\s+)?(?:STR\s*\(\s*)?\?\w+\s*\)?\s*'
                           r'(?:;\s*separator\s*=\s*"([^"]*)")?\s*\)\s+AS\s+\?(\w+)', re.IGNORECASE)


def unordered_concats(text: str, records: list[dict]) -> list[dict]:
    """GROUP_CONCAT joins its values in no defined order (SPARQL 1.1, 18.5.1.7): compare them as
    sets; of no value at all, rdflib makes "" and Oxigraph leaves the variable unbound."""
    seps = {var: sep or " " for sep, var in _GROUP_CONCAT.findall(text)}
    return [{k: sorted(x for x in (v or "").split(seps[k]) if x) if k in seps else v for k, v in r.items()}
            for r in records]


def test_named_queries_agree_on_every_store(stores):
    themes, regions = _gold_themes_and_regions()
    values = {"theme": themes[0], "region": regions[0]}
    ran = 0
    for name, q in query.named_queries().items():
        params = {p.name: values[p.type] for p in q.params if p.type in values}
        if any(not p.optional and p.name not in params for p in q.params):
            continue
        results = {s: canonical(unordered_concats(q.text, query.run_named(store, q, params).records()))
                   for s, store in stores.items()}
        assert results["memory"] == results["oxigraph"] == results["remote"], name
        ran += 1
    assert ran >= 5


def test_parameters_cannot_change_a_remote_query(stores):
    """A bound value is an escaped RDF term in a VALUES block, never query text."""
    title = next(iter(stores["oxigraph"].select("SELECT ?t WHERE { ?m a pkg:Measure ; dct:title ?t } LIMIT 1")[1]))["t"]
    q = "SELECT ?m WHERE { ?m a pkg:Measure ; dct:title ?t }"
    for evil in ['x" } ?m ?p ?o . { "', "a\\\" }\nINSERT", 'x\'\'\' } #']:
        for store in stores.values():
            assert store.select(q, {"t": Literal(evil, lang="zh")})[1] == []
    counts = {name: len(store.select(q, {"t": title})[1]) for name, store in stores.items()}
    assert counts["remote"] >= 1 and len(set(counts.values())) == 1


def test_values_block_goes_into_the_outer_where():
    q = 'PREFIX ex: <http://e/x?a=1>\n# a { in a comment\nSELECT ?a ("{" AS ?b) WHERE { ?a ex:p ?c }'
    bound = with_values(q, {"c": URIRef("http://e/1"), "d": Literal('say "}"')})
    assert bound.endswith('WHERE { VALUES (?c ?d) { (<http://e/1> "say \\"}\\"") }  ?a ex:p ?c }')
    assert bound.startswith(q.split("WHERE")[0])


def test_upload_by_graph_store_protocol_into_a_named_graph(built, oxigraph_server):
    out, _ = built
    graph = "https://w3id.org/policykg/graph/test"
    store = RemoteStore(f"{oxigraph_server}/query", gsp_url=f"{oxigraph_server}/store")
    store.clear(graph)
    sent = store.upload_ntriples(out / "graph.nt", graph=graph, batch=5000)
    _, rows = store.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    assert int(rows[0]["n"]) == sent > 5000
    store.clear(graph)
    _, rows = store.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    assert int(rows[0]["n"]) == 0


def test_query_command_reads_a_remote_store(pushed):
    themes, _ = _gold_themes_and_regions()
    r = run_cli("compare", "theme", themes[0], "--store", pushed)
    assert r.returncode == 0, r.stderr
    assert vocab.themes()[themes[0]].zh in r.stdout


def test_unreachable_server_is_one_line_error(tmp_path, built):
    url = f"http://127.0.0.1:{free_port()}/query"       # nothing listens there
    with pytest.raises(PolicyKGError, match="cannot reach the SPARQL endpoint"):
        RemoteStore(url).select("ASK { ?s ?p ?o }")
    out, _ = built
    r = run_cli("push", "--store", url, "--build", str(out))
    assert r.returncode == 2
    assert "cannot reach" in r.stderr and "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1
    r = run_cli("push", "--store", "oxigraph", "--build", str(out))
    assert r.returncode == 2 and "http(s) URL" in r.stderr
