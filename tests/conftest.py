"""Shared fixtures: the corpus, the gold and a graph built once per test session."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
GOLD = ROOT / "tests" / "gold"
EXTRA_CORPUS = ROOT / "tests" / "corpus_extra"
EXTRA_GOLD = GOLD / "extra"


def corpus_files() -> list[Path]:
    return sorted(CORPUS.glob("*.txt"))


def gold(stem: str) -> dict:
    return json.loads((GOLD / f"{stem}.json").read_text(encoding="utf-8"))


def gold_files() -> list[Path]:
    return sorted(GOLD.glob("*.json"))


@pytest.fixture(scope="session")
def processed():
    """Every corpus text through ingest, segmentation and extraction, by stem."""
    from kg.build import process
    docs, skipped = process(corpus_files())
    assert not skipped
    return {d.doc: d for d in docs}


@pytest.fixture(scope="session")
def built(tmp_path_factory, processed):
    """A build folder made by the real build command code path."""
    from kg.build import build
    out = tmp_path_factory.mktemp("build")
    result = build([CORPUS], out)
    return out, result
