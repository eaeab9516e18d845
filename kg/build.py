"""The whole flow for a set of files: ingest -> segment -> extract -> RDF, and the outputs under
one folder (graph.ttl, graph.nt, extract/<doc>.json), each written atomically under a lock."""
from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import PolicyKGError
from kg.extract import extract
from kg.goldjson import write_gold
from kg.ingest import SUPPORTED_SUFFIXES, load_document
from kg.model import Document
from kg.rdf import ntriples, to_graph
from kg.segment import segment

IGNORED_NAMES = {"manifest.csv", "readme.md", "readme.txt"}


@dataclass
class BuildResult:
    documents: list[Document] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)   # (path, reason)
    triples: int = 0
    outputs: dict[str, Path] = field(default_factory=dict)

    @property
    def sources(self) -> int:
        return sum(len(d.sources) for d in self.documents)

    @property
    def measures(self) -> int:
        return sum(len(s.measures) for d in self.documents for s in d.sources)


def discover(paths: Iterable[str | Path]) -> tuple[list[Path], list[tuple[str, str]]]:
    """Files to read from the given files and folders (recursively), in a stable order, and
    the paths that could not be listed."""
    files, problems = [], []
    for p in map(Path, paths):
        if p.is_dir():
            try:
                children = sorted(x for x in p.rglob("*") if x.is_file())
            except PermissionError:
                problems.append((str(p), "permission denied"))
                continue
            files += [x for x in children if x.suffix.lower() in SUPPORTED_SUFFIXES
                      and x.name.lower() not in IGNORED_NAMES and not x.name.startswith(".")]
        elif p.exists():
            files.append(p)
        else:
            problems.append((str(p), "no such file or folder"))
    return files, problems


def process_file(path: str | Path) -> Document:
    """One file through ingest, segmentation and extraction."""
    doc = segment(load_document(path))
    extract([doc])
    return doc


def process(paths: Iterable[Path], progress: Callable[[Path], None] | None = None
            ) -> tuple[list[Document], list[tuple[str, str]]]:
    docs, skipped = [], []
    for path in paths:
        try:
            docs.append(process_file(path))
        except PolicyKGError as err:
            skipped.append((str(path), err.reason))
        if progress:
            progress(path)
    return docs, skipped


def atomic_write(path: Path, data: str | bytes) -> None:
    """Write to a temporary file beside `path`, then rename: readers see old or new, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    mode = "wb" if isinstance(data, bytes) else "w"
    with open(tmp, mode, **({} if isinstance(data, bytes) else {"encoding": "utf-8"})) as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    tmp.replace(path)


@contextmanager
def build_lock(out_dir: Path):
    """Refuse a second build on the same output folder while one runs."""
    out_dir.mkdir(parents=True, exist_ok=True)
    fh = open(out_dir / ".lock", "w")
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        fh.close()
        raise PolicyKGError("another build is writing to this folder; wait for it to finish", out_dir) from None
    try:
        yield
    finally:
        fcntl.flock(fh, fcntl.LOCK_UN)
        fh.close()


def write_outputs(docs: list[Document], out_dir: Path, result: BuildResult) -> None:
    graph = to_graph(docs)
    result.triples = len(graph)
    ttl, nt = out_dir / "graph.ttl", out_dir / "graph.nt"
    atomic_write(ttl, graph.serialize(format="turtle"))
    atomic_write(nt, ntriples(graph))
    for doc in docs:
        write_gold(doc, out_dir / "extract")
    store = write_store(nt, out_dir / "store")
    result.outputs.update({"turtle": ttl, "ntriples": nt, "extract": out_dir / "extract", "store": store})


def write_store(nt: Path, path: Path) -> Path:
    """Load the graph into a fresh Oxigraph store beside the old one, then swap them."""
    from kg.store.oxigraph import OxigraphStore
    fresh = path.with_name(f".{path.name}.{os.getpid()}.new")
    OxigraphStore.from_ntriples(nt, fresh).store.flush()
    old = path.with_name(f".{path.name}.{os.getpid()}.old")
    if path.exists():
        path.rename(old)
    fresh.rename(path)
    if old.exists():
        shutil.rmtree(old)
    return path


def build(paths: Iterable[str | Path], out_dir: str | Path = "build",
          progress: Callable[[Path], None] | None = None, files: list[Path] | None = None) -> BuildResult:
    out_dir = Path(out_dir)
    if files is None:
        files, problems = discover(paths)
    else:
        problems = []
    result = BuildResult(skipped=list(problems))
    with build_lock(out_dir):
        result.documents, skipped = process(files, progress)
        result.skipped += skipped
        write_outputs(result.documents, out_dir, result)
    return result
