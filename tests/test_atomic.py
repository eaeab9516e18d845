"""A build killed at any moment leaves the previous build intact and usable; two builds on one
folder at once are refused (issue 7, part 2).

Kills are real SIGKILLs (kill -9). They come from outside at moments seen from the folder
(extraction under way, the store being loaded), and from inside at each commit point of the
build (a rename of graph.nt, graph.ttl, the store, the manifest): the build process is run
with os.replace / os.rename wrapped so that it kills itself just before or after the chosen
one, which no timing from outside can hit reliably.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from conftest import ROOT, corpus_files

PREVIOUS = corpus_files()[:3]      # the build that must survive
NEXT = corpus_files()              # the build that gets killed: two more files
GRAPH_FILES = ("graph.nt", "graph.ttl")
MEASURES_BY_DOC = """
PREFIX pkg: <https://w3id.org/policykg/ontology#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT ?doc (COUNT(DISTINCT ?m) AS ?n) WHERE {
  ?m a pkg:Measure ; pkg:ofPolicy/prov:wasDerivedFrom/dct:identifier ?doc }
GROUP BY ?doc"""

KILL_AT_RENAME = r"""
import fnmatch, os, signal, sys
pattern, when = sys.argv[1], sys.argv[2]
sys.argv = ["policykg"] + sys.argv[3:]
def hooked(real):
    def call(src, dst, *args, **kwargs):
        hit = fnmatch.fnmatch(f"{os.fspath(src)} -> {os.fspath(dst)}", pattern)
        if hit and when == "before":
            os.kill(os.getpid(), signal.SIGKILL)
        real(src, dst, *args, **kwargs)
        if hit and when == "after":
            os.kill(os.getpid(), signal.SIGKILL)
    return call
os.replace, os.rename = hooked(os.replace), hooked(os.rename)
from kg.cli import main
main()
"""


def build_cmd(files, out, *extra) -> list[str]:
    return [sys.executable, "-m", "kg", "build", *map(str, files), "--out", str(out), *extra]


def run_build(files, out, *extra) -> subprocess.CompletedProcess:
    r = subprocess.run(build_cmd(files, out, *extra), cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stderr
    return r


def answers(out: Path) -> dict[str, int]:
    """Measures per document, asked of the store on disk (opened read-only, as queries do)."""
    store = ox.Store.read_only(str(out / "store"))
    return {row["doc"].value: int(row["n"].value) for row in store.query(MEASURES_BY_DOC)}


def graph_answers(nt: Path) -> dict[str, int]:
    store = ox.Store()
    store.bulk_load(path=str(nt), format=ox.RdfFormat.N_TRIPLES)
    return {row["doc"].value: int(row["n"].value) for row in store.query(MEASURES_BY_DOC)}


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class Snapshot:
    """What a finished build folder holds: graph file digests and the store's answers."""

    def __init__(self, out: Path):
        self.digests = {name: digest(out / name) for name in GRAPH_FILES}
        self.answers = answers(out)


def assert_usable_and_each_output_old_or_new(out: Path, old: Snapshot, new: Snapshot | None) -> None:
    """Every output is whole: the previous build's or (when known) the next one's, byte for
    byte; the store is there, opens and gives the answers of one of the two builds."""
    for name in GRAPH_FILES:
        assert (out / name).is_file(), f"{name} missing after the kill"
        got = digest(out / name)
        allowed = {old.digests[name]} | ({new.digests[name]} if new else set())
        assert got in allowed, f"{name} is neither the previous nor the next build's"
    if new is None:   # a whole graph anyway: parses and answers like the store it belongs to
        graph_answers(out / "graph.nt")
    assert (out / "store").is_dir(), "store/ missing after the kill"
    got = answers(out)
    assert got == old.answers or (new is not None and got == new.answers), got


def leftovers(out: Path) -> list[str]:
    """Temporary files or folders of a dead build still lying in the output folder."""
    return sorted(str(p.relative_to(out)) for p in out.rglob("*")
                  if p.name.endswith(".tmp") or (p.name.startswith(".") and p.name.endswith((".new", ".old"))))


@pytest.fixture(scope="module")
def previous(tmp_path_factory):
    """A finished build of PREVIOUS, and its snapshot; tests copy the folder before killing."""
    out = tmp_path_factory.mktemp("atomic") / "previous"
    run_build(PREVIOUS, out)
    return out, Snapshot(out)


@pytest.fixture(scope="module")
def next_reference(tmp_path_factory, previous):
    """The next build run to its end over a copy of the previous one: what a kill interrupts."""
    out = tmp_path_factory.mktemp("atomic") / "next"
    shutil.copytree(previous[0], out)
    run_build(NEXT, out)
    return out, Snapshot(out)


# Commit points of a build, as renames: (pattern on "src -> dst", kill before or after it,
# whether every build must pass there). The store is swapped by two renames (old aside, new
# in) or, where the system can, by one atomic exchange with no rename at all.
KILL_POINTS = {
    "first cache entry of the new files": ("* -> */cache/*.json", "after", True),
    "graph.nt replaced, graph.ttl not yet": ("* -> */graph.nt", "after", True),
    "old store moved aside": ("*/store -> *", "after", False),
    "new store moved in": ("* -> */store", "after", False),
    "manifest about to be written": ("* -> */manifest.json", "before", True),
}


@pytest.mark.parametrize("point", KILL_POINTS)
def test_kill_at_each_commit_point_leaves_a_usable_build(tmp_path, previous, next_reference, point):
    pattern, when, must_reach = KILL_POINTS[point]
    out = tmp_path / "out"
    shutil.copytree(previous[0], out)
    killed = subprocess.run([sys.executable, "-c", KILL_AT_RENAME, pattern, when, "build",
                             *map(str, NEXT), "--out", str(out)], cwd=ROOT, capture_output=True,
                            text=True, timeout=900)
    if must_reach or killed.returncode != 0:
        assert killed.returncode == -signal.SIGKILL, f"the kill point was not reached: {killed.stderr}"
    assert_usable_and_each_output_old_or_new(out, previous[1], next_reference[1])

    # The next build after a kill repairs everything: the same bytes as an uninterrupted build.
    run_build(NEXT, out)
    assert Snapshot(out).digests == next_reference[1].digests
    assert answers(out) == next_reference[1].answers
    assert not leftovers(out), leftovers(out)


# --- kill -9 from outside, on a corpus big enough to be caught mid-way ------------------------

COPIES = 7


@pytest.fixture(scope="module")
def big_corpus(tmp_path_factory):
    """COPIES copies of every corpus text under new names: enough files for two workers."""
    folder = tmp_path_factory.mktemp("big_corpus")
    for i in range(COPIES):
        for path in corpus_files():
            shutil.copy(path, folder / f"copy{i:02d}_{path.name}")
    return folder


def cache_entries(out: Path) -> int:
    return sum(1 for _ in (out / "cache").rglob("*.json")) if (out / "cache").exists() else 0


def start(cmd) -> subprocess.Popen:
    return subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


def wait_for(condition, proc: subprocess.Popen, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert proc.poll() is None, "the build ended before the moment to kill it"
        assert time.monotonic() < deadline, "the moment to kill never came"
        time.sleep(0.02)


def kill9(proc: subprocess.Popen) -> None:
    """kill -9 the build (its main process, as `kill -9 PID` does), then wait until no process
    of its session is left (workers notice their parent died)."""
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and _session_alive(proc.pid):
        time.sleep(0.1)
    alive = _session_alive(proc.pid)
    if alive:
        os.killpg(proc.pid, signal.SIGKILL)
    assert not alive, "worker processes outlived the killed build"


def _session_alive(sid: int) -> bool:
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == sid and fields[0] != "Z":   # fields[3]: session id
            return True
    return False


def test_kill9_mid_build_from_outside(tmp_path, previous, big_corpus):
    out = tmp_path / "out"
    shutil.copytree(previous[0], out)
    old = previous[1]
    before = cache_entries(out)
    cmd = build_cmd([big_corpus], out, "--jobs", "2")

    # 1. while files are being extracted: the graph files are not even touched
    proc = start(cmd)
    wait_for(lambda: cache_entries(out) >= before + 6, proc)
    kill9(proc)
    assert_usable_and_each_output_old_or_new(out, old, None)
    assert {name: digest(out / name) for name in GRAPH_FILES} == old.digests

    # 2. while the new graph is written and the store loaded
    proc = start(cmd)
    wait_for(lambda: any(out.glob(".graph.*.tmp")) or any(out.glob(".store.*")), proc)
    kill9(proc)
    assert_usable_and_each_output_old_or_new(out, old, None)

    # 3. a build run to its end gives a graph and a store that agree
    proc = start(cmd)
    stdout, stderr = proc.communicate(timeout=900)
    assert proc.returncode == 0, stderr
    by_doc = answers(out)
    assert by_doc == graph_answers(out / "graph.nt")
    assert len(by_doc) == COPIES * len(corpus_files())
    assert not leftovers(out), leftovers(out)


def test_second_build_on_the_same_folder_is_refused(tmp_path, previous, big_corpus):
    out = tmp_path / "out"
    shutil.copytree(previous[0], out)
    before = cache_entries(out)
    first = start(build_cmd([big_corpus], out, "--jobs", "2"))
    try:
        wait_for(lambda: cache_entries(out) > before, first)   # it holds the lock and writes
        second = subprocess.run(build_cmd(PREVIOUS, out), cwd=ROOT, capture_output=True, text=True,
                                timeout=300)
        assert first.poll() is None, "the first build ended too soon to test the lock"
    finally:
        stdout, stderr = first.communicate(timeout=900)
    assert second.returncode == 2, second.stdout + second.stderr
    message = second.stderr.strip()
    assert "\n" not in message and str(out) in message and "another build" in message, message
    assert "Traceback" not in second.stderr
    # the first build was not disturbed: it finished, and its graph and store agree
    assert first.returncode == 0, stderr
    assert answers(out) == graph_answers(out / "graph.nt")
    assert len(answers(out)) == COPIES * len(corpus_files())
