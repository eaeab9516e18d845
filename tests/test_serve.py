"""`policykg serve` as a client sees it: a standard, read-only SPARQL endpoint on loopback that
answers many concurrent clients correctly, refuses updates and stops over-long queries."""
from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor

import pytest

from conftest import ROOT
from kg.serve import free_port, wait_until_serving
from kg.store import open_store, prologue

TIMEOUT_S = 2
LIMIT_MB = 0.5


@pytest.fixture(scope="module")
def endpoint(built):
    """`policykg serve` on a free loopback port, as a user starts it; always stopped."""
    out, _ = built
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "kg", "serve", "--build", str(out), "--port", str(port),
                             "--timeout", str(TIMEOUT_S), "--max-result-mb", str(LIMIT_MB)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_until_serving("127.0.0.1", port, timeout=60)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        banner = proc.stdout.read()
        proc.stdout.close()
        proc.stderr.close()
        assert f"http://127.0.0.1:{port}/query" in banner


def http(url: str, data: bytes | None = None, headers: dict | None = None, method: str | None = None,
         timeout: float = 30) -> tuple[int, str, bytes]:
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as r:
            return r.status, r.headers.get("Content-Type", ""), r.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers.get("Content-Type", ""), err.read()


def ask(endpoint: str, query: str, accept: str, post: bool) -> tuple[int, str, bytes]:
    text = prologue() + query
    if post:
        return http(f"{endpoint}/query", urllib.parse.urlencode({"query": text}).encode(),
                    {"Accept": accept, "Content-Type": "application/x-www-form-urlencoded"})
    return http(f"{endpoint}/sparql?" + urllib.parse.urlencode({"query": text}), headers={"Accept": accept})


def values_of(kind: str, body: bytes, var: str) -> list[str]:
    """The values of one variable in a result of any of the four formats."""
    text = body.decode("utf-8")
    if kind == "json":
        return [b[var]["value"] for b in json.loads(text)["results"]["bindings"]]
    if kind == "xml":
        ns = {"r": "http://www.w3.org/2005/sparql-results#"}
        return [b.find("./*", ns).text for b in ET.fromstring(text).iterfind(f".//r:binding[@name='{var}']", ns)]
    if kind == "csv":
        return [row[var] for row in csv.DictReader(io.StringIO(text))]
    rows = text.rstrip("\n").split("\n")           # TSV: terms in N-Triples syntax
    col = rows[0].split("\t").index(f"?{var}")
    return [re.sub(r'^<(.*)>$|^"(.*)"(@\S+|\^\^<.*>)?$', lambda m: m.group(1) or m.group(2) or "", r.split("\t")[col])
            for r in rows[1:]]


ACCEPT = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
          "csv": "text/csv", "tsv": "text/tab-separated-values"}


def test_concurrent_clients_all_answered_correctly(endpoint, built):
    """200 queries from 8 clients at once, every format, GET and POST: each answer is what the
    embedded store says."""
    out, _ = built
    local = open_store("oxigraph", out)
    _, policies = local.select("SELECT ?p WHERE { ?p a pkg:Policy } ORDER BY ?p")
    queries = [f"SELECT ?m WHERE {{ ?m pkg:ofPolicy <{row['p']}> }} ORDER BY ?m" for row in policies]
    queries.append("SELECT ?c WHERE { ?c a pkg:Theme } ORDER BY ?c")
    expected = [[str(r["m" if "?m" in q else "c"]) for r in local.select(q)[1]] for q in queries]
    assert all(expected)

    def client(i: int) -> list[bool]:
        results = []
        for j in range(25):
            k = (i * 25 + j) % len(queries)
            kind = list(ACCEPT)[(i + j) % 4]
            status, ctype, body = ask(endpoint, queries[k], ACCEPT[kind], post=bool(j % 2))
            var = "m" if "?m" in queries[k] else "c"
            results.append(status == 200 and ACCEPT[kind] in ctype and values_of(kind, body, var) == expected[k])
        return results

    with ThreadPoolExecutor(8) as pool:
        answers = [ok for batch in pool.map(client, range(8)) for ok in batch]
    assert len(answers) == 200 and all(answers), f"{answers.count(False)} wrong answers"


def test_updates_are_refused(endpoint, built):
    update = "INSERT DATA { <urn:x> <urn:y> <urn:z> }"
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    attempts = [
        http(f"{endpoint}/update", urllib.parse.urlencode({"update": update}).encode(), form),
        http(f"{endpoint}/query", urllib.parse.urlencode({"update": update}).encode(), form),
        http(f"{endpoint}/query", update.encode(), {"Content-Type": "application/sparql-update"}),
        http(f"{endpoint}/store?default", b"<urn:x> <urn:y> <urn:z> .", {"Content-Type": "application/n-triples"}),
        http(f"{endpoint}/store?default", b"<urn:x> <urn:y> <urn:z> .", {"Content-Type": "application/n-triples"},
             method="PUT"),
        http(f"{endpoint}/store?default", None, method="DELETE"),
    ]
    assert [a[0] for a in attempts] == [403, 403, 403, 403, 405, 405]
    status, _, body = ask(endpoint, "ASK { <urn:x> ?p ?o }", ACCEPT["json"], post=False)
    assert status == 200 and json.loads(body)["boolean"] is False
    out, result = built
    status, _, body = ask(endpoint, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", ACCEPT["csv"], post=True)
    assert int(values_of("csv", body, "n")[0]) == result.triples


def test_over_long_query_is_stopped_at_the_timeout(endpoint):
    # a triple cross product of the whole graph, sorted: never finishes on its own
    endless = "SELECT ?a WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?a ?d ?g LIMIT 1"
    t0 = time.monotonic()
    status, _, body = ask(endpoint, endless, ACCEPT["json"], post=True)
    elapsed = time.monotonic() - t0
    assert status == 503 and b"timeout" in body
    assert TIMEOUT_S <= elapsed < TIMEOUT_S + 3
    # the endpoint still answers (the Oxigraph server is restarted if the query kept it busy)
    deadline = time.monotonic() + 30
    while True:
        status, _, body = ask(endpoint, "ASK { ?s ?p ?o }", ACCEPT["json"], post=False)
        if status == 200 or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert status == 200 and json.loads(body)["boolean"] is True


def test_large_result_is_refused_not_truncated(endpoint):
    status, _, body = ask(endpoint, "SELECT * WHERE { ?s ?p ?o }", ACCEPT["csv"], post=False)
    assert status == 500 and b"larger than the limit" in body
    status, _, body = ask(endpoint, "SELECT * WHERE { ?s ?p ?o } LIMIT 10", ACCEPT["csv"], post=False)
    assert status == 200 and len(body.decode().strip().splitlines()) == 11


def test_serves_nothing_but_queries(endpoint):
    assert http(f"{endpoint}/../../etc/passwd")[0] == 404
    assert http(f"{endpoint}/graph.nt")[0] == 404
    status, ctype, body = http(f"{endpoint}/")
    assert status == 200 and ctype.startswith("text/plain") and b"read-only" in body
    status, _, body = ask(endpoint, "SELECT WHERE {", ACCEPT["json"], post=True)
    assert status == 400


def test_serve_without_a_build_is_one_line_error(tmp_path):
    r = subprocess.run([sys.executable, "-m", "kg", "serve", "--build", str(tmp_path), "--port", "0"],
                       cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and "policykg build" in r.stderr and "Traceback" not in r.stderr
