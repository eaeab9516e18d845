"""The same corpus gives byte-identical Turtle and N-Triples, whatever the order the files are
given in, the number of worker processes, the folder they sit in, the hash seed, time zone
and locale of the machine (issue 7, part 3)."""
from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, corpus_files


def cli_build(files, out: Path, *extra, env: dict[str, str] | None = None) -> None:
    r = subprocess.run([sys.executable, "-m", "kg", "build", *map(str, files), "--out", str(out), *extra],
                       cwd=ROOT, capture_output=True, text=True, timeout=900,
                       env=os.environ | (env or {}))
    assert r.returncode == 0, r.stderr


def shuffled(items: list, seed: int) -> list:
    items = list(items)
    while len(items) > 1 and items == sorted(items):
        random.Random(seed).shuffle(items)
        seed += 1
    return items


def assert_same_bytes(a: Path, b: Path) -> None:
    for name in ("graph.ttl", "graph.nt"):
        x, y = (a / name).read_bytes(), (b / name).read_bytes()
        assert len(x) > 100_000
        if x != y:   # say where, not just that
            lx, ly = x.splitlines(), y.splitlines()
            first = next((i for i, (p, q) in enumerate(zip(lx, ly)) if p != q), min(len(lx), len(ly)))
            raise AssertionError(f"{name} differs from line {first + 1}: "
                                 f"{lx[first:first + 1]!r} vs {ly[first:first + 1]!r}")


def test_shuffled_files_elsewhere_on_another_machine_give_the_same_bytes(built, tmp_path):
    """The session build (in this process, folder order) against the CLI in a fresh process:
    the files copied to another folder, named in shuffled order, another hash seed, time zone
    and locale."""
    elsewhere = tmp_path / "another machine" / "政策"
    elsewhere.mkdir(parents=True)
    copies = [Path(shutil.copy(p, elsewhere / p.name)) for p in corpus_files()]
    out = tmp_path / "out"
    cli_build(shuffled(copies, 7), out, "--jobs", "1",
              env={"PYTHONHASHSEED": "4242", "TZ": "Asia/Shanghai", "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"})
    assert_same_bytes(built[0], out)


def test_parallel_build_of_shuffled_files_gives_the_same_bytes(tmp_path):
    """Enough files for two workers: one process in folder order, then two workers on the
    files named in shuffled order; the graphs are the same bytes."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i in range(7):
        for path in corpus_files():
            shutil.copy(path, corpus / f"c{i}_{path.name}")
    one, two = tmp_path / "one", tmp_path / "two"
    cli_build([corpus], one, "--jobs", "1", env={"PYTHONHASHSEED": "1"})
    cli_build(shuffled(sorted(corpus.iterdir()), 11), two, "--jobs", "2", env={"PYTHONHASHSEED": "2"})
    assert_same_bytes(one, two)
