"""Build and query benchmarks on synthetic corpora of N texts (benchmarks/synth.py).

For each N: generate the corpus, time `policykg build` in a fresh folder (texts/s, characters/s,
triples, peak memory of the build's whole process tree), time a second build with no change
and one with one changed file, then, per store (memory = rdflib, oxigraph = embedded), the
median latency of `compare theme`, `compare cities`, `matrix` and three SPARQL queries, each
store in its own process. Not part of `make test`; run by `make bench`:

    .venv/bin/python benchmarks/run.py --sizes 100,1000,10000 [--jobs 0] [--reps 7]

Results are printed as a markdown table and saved to build/bench/results.json.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

QUERIES = {
    # measures per region and theme: the shape of every comparison
    "q1 theme×region counts": """
        SELECT ?region ?theme (COUNT(DISTINCT ?m) AS ?n) WHERE {
          ?p a pkg:Policy ; pkg:region ?region ; pkg:hasMeasure ?m . ?m pkg:theme ?theme .
        } GROUP BY ?region ?theme""",
    # the largest caps in CNY of one theme
    "q2 top CNY caps of a theme": """
        SELECT ?theme ?m ?v ?name WHERE {
          ?m pkg:theme ?theme ; pkg:hasAmount ?a .
          ?a pkg:kind "cap" ; schema:unitText "CNY" ; schema:value ?v ; schema:name ?name .
        } ORDER BY DESC(?v) LIMIT 20""",
    # policies of one province's regions with their number of measures
    "q3 policies of a province": """
        SELECT ?province ?p ?title (COUNT(?m) AS ?n) WHERE {
          ?region pkg:province ?province . ?p pkg:region ?region ; dct:title ?title ; pkg:hasMeasure ?m .
        } GROUP BY ?province ?p ?title ORDER BY DESC(?n) LIMIT 50""",
}
THEME = "先使用后付费"
AMOUNT_THEME = "tech-contract-incentive"   # a theme with many CNY caps (先使用后付费 has none)


# --- measuring ------------------------------------------------------------------------------

def run_measured(cmd: list[str], cwd: Path = ROOT) -> tuple[float, int, str]:
    """(seconds, peak RSS of the process and all its children summed, stdout)."""
    proc = psutil.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                        env=os.environ | {"COLUMNS": "200"})
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            try:
                tree = [proc] + proc.children(recursive=True)
                peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()))
            except psutil.Error:
                pass
            stop.wait(0.05)
    t0 = time.perf_counter()
    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    out, err = proc.communicate()
    seconds = time.perf_counter() - t0
    stop.set()
    thread.join()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err[-2000:]}")
    return seconds, peak, out


def median_ms(fn, reps: int, budget_s: float) -> tuple[float, int]:
    """Median wall time of fn() over `reps` runs after one warm-up (fewer when over budget; a
    first run over 2 s counts as a run: warming up does not matter at that scale)."""
    t_start = time.perf_counter()
    fn()
    first = time.perf_counter() - t_start
    times = [first] if first > 2 else []
    while len(times) < reps and time.perf_counter() - t_start < budget_s:
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
        if time.perf_counter() - t_start > budget_s:
            break
    return statistics.median(times) * 1000, len(times)


def query_latencies(build: Path, store_name: str, reps: int, budget_s: float, cities: list[str],
                    cap_s: float) -> dict:
    """Runs in its own process (see main): open the store, then time each query."""
    from rdflib import URIRef

    from kg import compare, vocab
    from kg.store import open_store
    t0 = time.perf_counter()
    store = open_store(store_name, build)
    load_s = time.perf_counter() - t0
    cities = [c for c in cities if c]
    province = vocab.regions()[vocab.resolve_region(cities[0]).province or vocab.resolve_region(cities[0]).id]
    bindings = {"q2 top CNY caps of a theme": {"theme": URIRef(vocab.resolve_theme(AMOUNT_THEME).iri)},
                "q3 policies of a province": {"province": URIRef(province.iri)}}
    out = {"store": store_name, "load_s": round(load_s, 2), "triples": len(store), "latency_ms": {}, "runs": {}}
    calls = {"compare theme": lambda: compare.compare_theme(store, THEME),
             "compare cities": lambda: compare.compare_cities(store, cities),
             "matrix": lambda: compare.matrix(store)}
    for name, text in QUERIES.items():
        calls[name] = (lambda text=text, b=bindings.get(name): store.select(text, b))
    out["rows"] = {}
    for name, fn in calls.items():
        ms, n, rows = capped(fn, reps, budget_s, cap_s)
        out["latency_ms"][name] = None if ms is None else round(ms, 1)
        out["runs"][name] = n
        out["rows"][name] = rows
    return out


def capped(fn, reps: int, budget_s: float, cap_s: float) -> tuple[float | None, int, int | None]:
    """median_ms in a forked child (sharing the loaded store), stopped after cap_s seconds:
    (median ms or None when the first run alone took longer than the cap, runs, result rows)."""
    import multiprocessing
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)

    def work() -> None:
        ms, n = median_ms(fn, reps, budget_s)
        result = fn()
        child.send((ms, n, len(result[1]) if isinstance(result, tuple) else None))
    proc = ctx.Process(target=work, daemon=True)
    proc.start()
    got = parent.poll(cap_s)
    value = parent.recv() if got else (None, 0, None)
    proc.kill() if not got else None
    proc.join(10)
    return value


# --- one corpus size ----------------------------------------------------------------------

def bench_size(n: int, work: Path, args) -> dict:
    import synth
    corpus = synth.write_corpus(n, work / f"corpus-{n}", seed=args.seed)
    files = sorted(corpus.glob("*.txt"))
    chars = sum(len(p.read_text(encoding="utf-8")) for p in files)
    build = work / f"build-{n}"
    if build.exists():
        import shutil
        shutil.rmtree(build)
    cmd = [sys.executable, "-m", "kg", "build", str(corpus), "--out", str(build), "--jobs", str(args.jobs)]
    print(f"[{n}] building {len(files)} texts ({chars:,} characters)...", flush=True)
    seconds, peak, _ = run_measured(cmd)
    manifest = json.loads((build / "manifest.json").read_text(encoding="utf-8"))
    row = {"texts": n, "characters": chars, "build_s": round(seconds, 2), "peak_mb": round(peak / 2**20),
           "texts_per_s": round(n / seconds, 1), "chars_per_s": round(chars / seconds),
           "triples": manifest["totals"]["triples"], "measures": manifest["totals"]["measures"]}
    print(f"[{n}] build {seconds:.1f} s, peak {peak / 2**20:.0f} MB; rebuilding unchanged...", flush=True)
    seconds2, _, out = run_measured(cmd)
    row["rebuild_unchanged_s"] = round(seconds2, 2)
    row["rebuild_did_nothing"] = "up to date" in out
    row["stores"] = {store: store_latencies(n, build, store, row["triples"], args) for store in args.stores}
    # one file changed: only it is extracted, the graph files and the store are rewritten
    victim = files[len(files) // 2]
    original = victim.read_bytes()
    try:
        victim.write_bytes(original + "本措施由市科学技术局负责解释。\n".encode("utf-8"))
        seconds3, _, out = run_measured(cmd)
        row["rebuild_one_changed_s"] = round(seconds3, 2)
        row["rebuild_one_changed_extracted"] = "extracted 1 file" in out
    finally:
        victim.write_bytes(original)
    return row


def store_latencies(n: int, build: Path, store: str, triples: int, args) -> dict:
    """Query latencies on one store, measured in a process of its own."""
    import synth
    if store == "memory" and triples > args.memory_max_triples:
        return {"skipped": f"{triples:,} triples > --memory-max-triples {args.memory_max_triples:,} "
                           f"(rdflib needs ~1.5 kB a triple)"}
    print(f"[{n}] queries on {store}...", flush=True)
    cities = [synth.policy_text(i, args.seed)[0].split("_", 1)[1][:-4] for i in (0, 1)]
    cmd_q = [sys.executable, str(Path(__file__)), "--_queries", str(build), "--_store", store,
             "--reps", str(args.reps), "--budget", str(args.budget), "--cap", str(args.cap),
             "--_cities", ",".join(cities)]
    _, peak_q, out = run_measured(cmd_q)
    result = json.loads(out.strip().splitlines()[-1])
    result["peak_mb"] = round(peak_q / 2**20)
    return result


# --- report -------------------------------------------------------------------------------

def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = psutil.virtual_memory().total / 2**30
    import pyoxigraph
    import rdflib
    return (f"{cpu}, {os.cpu_count()} cores, {mem:.0f} GiB RAM, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}, rdflib {rdflib.__version__}, pyoxigraph {pyoxigraph.__version__}")


def _ratio(name: str, slow: dict, fast: dict) -> str:
    a, b = slow["latency_ms"][name], fast["latency_ms"][name]
    if b is None:
        return f"{name} ?"
    if a is None:
        return f"{name} > {slow['cap_s'] * 1000 / max(b, 0.01):,.0f}x"
    return f"{name} {a / max(b, 0.01):,.0f}x"


def table(rows: list[dict]) -> str:
    lines = ["| texts | characters | triples | build s | texts/s | characters/s | peak MB | rebuild unchanged s (% of build) | rebuild 1 changed s |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['texts']:,} | {r['characters']:,} | {r['triples']:,} | {r['build_s']} | {r['texts_per_s']} "
                     f"| {r['chars_per_s']:,} | {r['peak_mb']:,} | {r['rebuild_unchanged_s']} "
                     f"({100 * r['rebuild_unchanged_s'] / r['build_s']:.1f}%{'' if r['rebuild_did_nothing'] else ', NOT up to date'}) "
                     f"| {r['rebuild_one_changed_s']} |")
    names = ["compare theme", "compare cities", "matrix", *QUERIES]
    lines += ["", "Median latency in ms (runs in brackets when fewer than asked); load = opening the store.", "",
              "| texts | store | load s | " + " | ".join(names) + " |",
              "|---:|---|---:|" + "---:|" * len(names)]
    for r in rows:
        for store, s in r["stores"].items():
            if "skipped" in s:
                lines.append(f"| {r['texts']:,} | {store} | skipped: {s['skipped']} |" + " |" * len(names))
                continue
            cells = []
            for name in names:
                runs, ms = s["runs"][name], s["latency_ms"][name]
                if ms is None:
                    cells.append(f"> {s['cap_s']:g} s")
                    continue
                cells.append(f"{ms:,}" + (f" ({runs})" if runs < s.get("reps", runs) else ""))
            lines.append(f"| {r['texts']:,} | {store} | {s['load_s']} | " + " | ".join(cells) + " |")
    by_n = {r["texts"]: r for r in rows}
    notes = []
    if 1000 in by_n and 10000 in by_n:
        notes.append(f"build 10,000 / 1,000 texts: {by_n[10000]['build_s'] / by_n[1000]['build_s']:.1f}x the time")
    for r in rows:
        s = r["stores"]
        if "memory" in s and "oxigraph" in s and "skipped" not in s["memory"]:
            ratios = ", ".join(_ratio(name, s["memory"], s["oxigraph"]) for name in names)
            notes.append(f"{r['texts']:,} texts, oxigraph faster than memory by: {ratios}")
    return "\n".join(lines + [""] + [f"- {x}" for x in notes])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,10000")
    parser.add_argument("--stores", default="memory,oxigraph")
    parser.add_argument("--jobs", type=int, default=0, help="build --jobs (0: all cores)")
    parser.add_argument("--reps", type=int, default=7)
    parser.add_argument("--budget", type=float, default=120, help="seconds per query before fewer runs")
    parser.add_argument("--cap", type=float, default=300,
                        help="seconds after which a query is stopped and reported as over the cap")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--requery", action="store_true",
                        help="keep the build figures of build/bench/results.json, measure the queries again")
    parser.add_argument("--memory-max-triples", type=int, default=4_000_000,
                        help="skip the rdflib store above this many triples (memory)")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "bench")
    parser.add_argument("--_queries", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--_store", help=argparse.SUPPRESS)
    parser.add_argument("--_cities", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args._queries:
        result = query_latencies(args._queries, args._store, args.reps, args.budget, args._cities.split(","),
                                 args.cap)
        result["reps"] = args.reps
        result["cap_s"] = args.cap
        print(json.dumps(result, ensure_ascii=False))
        return
    args.stores = args.stores.split(",")
    args.work.mkdir(parents=True, exist_ok=True)
    rows = []
    results_path = args.work / "results.json"
    previous = {r["texts"]: r for r in json.loads(results_path.read_text())["rows"]} \
        if args.requery and results_path.exists() else {}
    for n in (int(x) for x in args.sizes.split(",")):
        if n in previous:     # --requery: keep the build figures, measure the queries again
            row = previous[n]
            for store in args.stores:
                row["stores"][store] = store_latencies(n, args.work / f"build-{n}", store, row["triples"], args)
            rows.append(row)
        else:
            rows.append(bench_size(n, args.work, args))
        done = {r["texts"] for r in rows}
        everything = sorted(rows + [r for m, r in previous.items() if m not in done],   # rows not asked for are kept
                            key=lambda r: r["texts"])
        results_path.write_text(json.dumps({"machine": machine(), "rows": everything}, ensure_ascii=False, indent=1))
        print(table(everything), flush=True)
    print(f"\nmachine: {machine()}\nresults: {results_path}")


if __name__ == "__main__":
    main()
