"""The CLI as a user runs it: build, extract, validate, eval; errors are one line."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import CORPUS, GOLD, ROOT


def run(*args, cwd=ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kg", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=600)


def test_help_reads_well():
    r = run("--help")
    assert r.returncode == 0
    for cmd in ("build", "extract", "validate", "eval"):
        assert cmd in r.stdout


def test_build_then_validate(tmp_path):
    r = run("build", str(CORPUS), "--out", str(tmp_path))
    assert r.returncode == 0, r.stderr
    assert "measures" in r.stdout and (tmp_path / "graph.ttl").exists() and (tmp_path / "store").is_dir()
    r = run("validate", "--graph", str(tmp_path / "graph.ttl"))
    assert r.returncode == 0, r.stdout + r.stderr


def test_extract_writes_gold_schema(tmp_path):
    r = run("extract", str(CORPUS / "004_46d0cb6fe9d9ebe8.txt"), "--out", str(tmp_path))
    assert r.returncode == 0, r.stderr
    data = json.loads((tmp_path / "004_46d0cb6fe9d9ebe8.json").read_text(encoding="utf-8"))
    gold = json.loads((GOLD / "004_46d0cb6fe9d9ebe8.json").read_text(encoding="utf-8"))
    assert set(gold["sources"][0]) - {"validity"} <= set(data["sources"][0])
    assert len(data["sources"][0]["measures"]) == len(gold["sources"][0]["measures"])


def test_eval_prints_scores():
    r = run("eval", "--gold", str(GOLD), "--json")
    assert r.returncode == 0, r.stderr
    scores = json.loads(r.stdout)
    assert scores["sources"]["f1"] == 1.0 and scores["overall_f1"] > 0.5


def test_missing_file_is_one_line_error(tmp_path):
    r = run("validate", "--graph", str(tmp_path / "nope.ttl"))
    assert r.returncode == 2
    assert "nope.ttl" in r.stderr and "Traceback" not in r.stderr
