"""Characters per second of the whole extract step (ingest, segment, spaCy pipeline, JSON out)
on the corpus, repeated to smooth out start-up. Not a test: run with `make bench` or directly:

    .venv/bin/python benchmarks/extract_throughput.py [--repeat 5] [PATHS...]
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from kg.build import discover, process
from kg.extract.pipeline import build_nlp
from kg.goldjson import write_gold


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", default=["corpus"])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    files, _ = discover(args.paths)
    chars = sum(len(p.read_text(encoding="utf-8", errors="replace")) for p in files)
    build_nlp()   # model and vocabulary loading is start-up, not throughput
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            docs, _ = process(files)
            for d in docs:
                write_gold(d, Path(tmp))
            times.append(time.perf_counter() - t0)
    best, median = min(times), sorted(times)[len(times) // 2]
    print(f"files {len(files)}  characters {chars}  runs {args.repeat}")
    print(f"median {median:.3f} s  best {best:.3f} s  ->  {chars / median:,.0f} characters/s (median)")


if __name__ == "__main__":
    main()
