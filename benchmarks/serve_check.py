"""`policykg serve` under load on a built graph: 200 queries from 8 concurrent clients on
loopback (every answer checked against the embedded store), an UPDATE refused, an over-long
query stopped at the timeout. Prints latencies; exits non-zero when a check fails.

    .venv/bin/python benchmarks/serve_check.py --build build/bench/build-10000 [--timeout 10]
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.serve import free_port, wait_until_serving  # noqa: E402
from kg.store import open_store, prologue  # noqa: E402

JSON = "application/sparql-results+json"


def post(url: str, field: str, text: str, timeout: float = 120) -> tuple[int, bytes, float]:
    data = urllib.parse.urlencode({field: text}).encode()
    request = urllib.request.Request(url, data=data, headers={"Accept": JSON})
    t0 = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as r:
            return r.status, r.read(), time.perf_counter() - t0
    except urllib.error.HTTPError as err:
        return err.code, err.read(), time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", type=Path, required=True)
    parser.add_argument("--timeout", type=float, default=10)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()

    local = open_store("oxigraph", args.build)
    _, policies = local.select("SELECT ?p WHERE { ?p a pkg:Policy } ORDER BY ?p LIMIT 50")
    queries = [f"SELECT ?m ?n WHERE {{ ?m pkg:ofPolicy <{r['p']}> ; pkg:number ?n }} ORDER BY ?m" for r in policies]
    queries.append("SELECT ?region (COUNT(?p) AS ?n) WHERE { ?p a pkg:Policy ; pkg:region ?region } "
                   "GROUP BY ?region ORDER BY ?region")
    expected = [[{k: str(v) for k, v in row.items()} for row in local.select(q)[1]] for q in queries]
    del local

    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "kg", "serve", "--build", str(args.build), "--port", str(port),
                             "--timeout", str(args.timeout)], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    failures = []
    try:
        wait_until_serving("127.0.0.1", port, timeout=120)
        url = f"http://127.0.0.1:{port}/query"
        per_client = args.queries // args.clients

        def client(i: int) -> list[tuple[bool, float]]:
            out = []
            for j in range(per_client):
                k = (i * per_client + j) % len(queries)
                status, body, seconds = post(url, "query", prologue() + queries[k])
                ok = status == 200 and [{v: b[v]["value"] for v in b}
                                        for b in json.loads(body)["results"]["bindings"]] == expected[k]
                out.append((ok, seconds))
            return out
        t0 = time.perf_counter()
        with ThreadPoolExecutor(args.clients) as pool:
            results = [r for batch in pool.map(client, range(args.clients)) for r in batch]
        wall = time.perf_counter() - t0
        latencies = sorted(s for _, s in results)
        correct = sum(ok for ok, _ in results)
        print(f"{len(results)} queries from {args.clients} clients in {wall:.1f} s: {correct} correct; "
              f"latency median {statistics.median(latencies) * 1000:.0f} ms, "
              f"p95 {latencies[int(len(latencies) * 0.95) - 1] * 1000:.0f} ms")
        if correct != len(results) or len(results) != per_client * args.clients:
            failures.append("wrong answers")

        status, body, _ = post(f"http://127.0.0.1:{port}/update", "update", "INSERT DATA { <urn:a> <urn:b> <urn:c> }")
        print(f"UPDATE: {status} {body.decode().strip()}")
        if status not in (403, 405):
            failures.append("update not refused")

        endless = "SELECT ?a WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?a ?d ?g LIMIT 1"
        status, body, seconds = post(url, "query", endless)
        print(f"over-long query: {status} after {seconds:.1f} s (timeout {args.timeout:g} s): {body.decode().strip()}")
        if status != 503 or not args.timeout <= seconds < args.timeout + 5:
            failures.append("over-long query not stopped at the timeout")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
    if failures:
        raise SystemExit("FAILED: " + ", ".join(failures))
    print("serve: all checks passed")


if __name__ == "__main__":
    main()
