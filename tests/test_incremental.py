"""Incremental and parallel builds: unchanged files are not extracted again, the graph is the
one a fresh build makes, and worker processes make the same bytes as one process."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph

import kg.build
import kg.cache
from conftest import ROOT, corpus_files
from kg.build import build


@pytest.fixture()
def corpus(tmp_path):
    """A copy of three corpus texts that the tests may change."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    for path in corpus_files()[:3]:
        shutil.copy(path, folder / path.name)
    return folder


def triples(out) -> set:
    return set(Graph().parse(out / "graph.nt", format="nt"))


def test_unchanged_files_are_not_extracted_again(corpus, tmp_path, monkeypatch):
    out = tmp_path / "build"
    first = build([corpus], out, jobs=1)
    assert (first.extracted, first.reused, first.up_to_date) == (3, 0, False)
    graph_before = (out / "graph.nt").read_bytes()

    extracted = []
    original = kg.build.process_file
    monkeypatch.setattr(kg.build, "process_file", lambda p: extracted.append(p) or original(p))
    second = build([corpus], out, jobs=1)
    assert second.up_to_date and extracted == [] and second.reused == 3
    assert (second.document_count, second.measures, second.triples) == \
           (first.document_count, first.measures, first.triples)
    assert (out / "graph.nt").read_bytes() == graph_before

    # one file changes: only it is extracted, and the graph is what a fresh build makes
    changed = sorted(corpus.iterdir())[1]
    changed.write_text(changed.read_text(encoding="utf-8") + "\n本措施自发布之日起施行。\n", encoding="utf-8")
    third = build([corpus], out, jobs=1)
    assert [Path(p).name for p in extracted] == [changed.name]
    assert (third.extracted, third.reused, third.up_to_date) == (1, 2, False)
    fresh = build([corpus], tmp_path / "fresh", jobs=1)
    assert triples(out) == triples(tmp_path / "fresh")
    assert (out / "graph.nt").read_bytes() == (tmp_path / "fresh" / "graph.nt").read_bytes()
    assert third.triples == fresh.triples == len(triples(out))


def test_same_files_named_another_way_are_not_extracted_again(corpus, tmp_path, monkeypatch):
    out = tmp_path / "build"
    build([corpus], out, jobs=1)
    monkeypatch.chdir(corpus.parent)
    again = build([Path(corpus.name) / "." ], out, jobs=1)       # relative, with a ./ in it
    assert again.extracted == 0 and again.reused == 3


def test_removed_file_leaves_nothing_behind(corpus, tmp_path):
    out = tmp_path / "build"
    build([corpus], out, jobs=1)
    gone = sorted(corpus.iterdir())[0]
    assert (out / "extract" / f"{gone.stem}.json").exists()
    gone.unlink()
    result = build([corpus], out, jobs=1)
    assert result.document_count == 2 and result.extracted == 0
    assert not (out / "extract" / f"{gone.stem}.json").exists()
    assert not any(gone.stem in str(s) for t in triples(out) for s in t)


def test_new_pipeline_version_extracts_everything_again(corpus, tmp_path, monkeypatch):
    out = tmp_path / "build"
    build([corpus], out, jobs=1)
    old = kg.cache.pipeline_fingerprint()
    monkeypatch.setattr(kg.cache, "pipeline_fingerprint", lambda: "0123456789abcdef")
    result = build([corpus], out, jobs=1)
    assert result.extracted == 3 and result.reused == 0
    assert not (out / "cache" / old).exists() and (out / "cache" / "0123456789abcdef").is_dir()


def test_fingerprint_follows_the_code():
    """The cache key covers the extraction code and the vocabulary, not a version to remember."""
    sources = {p.resolve() for name in kg.cache.PIPELINE_SOURCES
               for p in ((kg.cache.PACKAGE_DIR / name).rglob("*") if (kg.cache.PACKAGE_DIR / name).is_dir()
                         else [kg.cache.PACKAGE_DIR / name])}
    for module in ("extract/amounts.py", "segment/structure.py", "rdf.py", "../ontology/themes.ttl"):
        assert (kg.cache.PACKAGE_DIR / module).resolve() in sources


def test_workers_make_the_same_graph_as_one_process(built, tmp_path, monkeypatch):
    out, serial = built
    monkeypatch.setattr(kg.build, "MIN_FILES_PER_WORKER", 1)     # a pool even for five files
    parallel = build([ROOT / "corpus"], tmp_path / "parallel", jobs=2)
    assert parallel.extracted == serial.document_count == parallel.document_count
    assert (tmp_path / "parallel" / "graph.nt").read_bytes() == (out / "graph.nt").read_bytes()
    assert sorted(p.name for p in (tmp_path / "parallel" / "extract").iterdir()) == \
           sorted(p.name for p in (out / "extract").iterdir())


def test_second_cli_build_says_up_to_date(corpus, tmp_path):
    args = [sys.executable, "-m", "kg", "build", str(corpus), "--out", str(tmp_path / "b"), "--jobs", "1"]
    first = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stderr
    second = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert second.returncode == 0 and "up to date" in second.stdout
