"""The whole flow for a set of files: ingest -> segment -> extract -> RDF, and the outputs under
one folder, each written atomically under a lock:

    graph.nt          N-Triples: the vocabulary, then each document's own triples (sorted, in
                      document order), then the shared nodes (organisations), deduplicated
    graph.ttl         the same graph in Turtle (serialized by Oxigraph from graph.nt)
    store/            embedded Oxigraph store (bulk-loaded from graph.nt)
    extract/<doc>.json, text/<doc>.txt    per-document extraction (gold schema) and its text
    cache/            per-file extraction cache (kg.cache), manifest.json: what was built

Built to scale to tens of thousands of texts on one machine:
- incremental: a file whose bytes, path and pipeline are unchanged is not extracted again (its
  cached triples are reused); when nothing changed at all, nothing is rewritten;
- parallel: files are extracted by a pool of `jobs` worker processes;
- streaming: each document's triples go to the cache as soon as it is extracted and the graph
  files are concatenated from there, so memory does not grow with the corpus.
"""
from __future__ import annotations

import fcntl
import json
import multiprocessing
import os
import shutil
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import PolicyKGError
from kg.extract import extract
from kg.goldjson import write_gold
from kg.ingest import SUPPORTED_SUFFIXES, load_document, read_bytes, write_extracted_text
from kg.model import Document
from kg.segment import segment

IGNORED_NAMES = {"manifest.csv", "readme.md", "readme.txt"}
# Starting a worker (spaCy + jieba dictionary) costs about a second; below this many files per
# worker, extracting in this process is faster.
MIN_FILES_PER_WORKER = 16
MANIFEST = "manifest.json"


@dataclass
class BuildResult:
    documents: list[Document] = field(default_factory=list)   # only with build(keep_documents=True)
    skipped: list[tuple[str, str]] = field(default_factory=list)   # (path, reason)
    triples: int = 0
    outputs: dict[str, Path] = field(default_factory=dict)
    document_count: int = 0
    source_count: int = 0
    measure_count: int = 0
    extracted: int = 0          # files extracted by this build
    reused: int = 0             # files whose cached extraction was reused
    up_to_date: bool = False    # nothing changed since the last build: nothing was rewritten

    @property
    def sources(self) -> int:
        return self.source_count

    @property
    def measures(self) -> int:
        return self.measure_count


def discover(paths: Iterable[str | Path]) -> tuple[list[Path], list[tuple[str, str]]]:
    """Files to read from the given files and folders (recursively), in a stable order, and
    the paths that could not be listed (an unreadable subfolder is reported, not skipped)."""
    files, problems = [], []
    for p in map(Path, paths):
        if p.is_dir():
            found: list[Path] = []
            for root, dirs, names in os.walk(p, onerror=lambda err: problems.append(
                    (str(err.filename), "permission denied" if isinstance(err, PermissionError)
                     else (err.strerror or str(err))))):
                dirs.sort()
                found += [Path(root) / n for n in names]
            files += sorted(x for x in found if x.suffix.lower() in SUPPORTED_SUFFIXES
                            and x.name.lower() not in IGNORED_NAMES and not x.name.startswith("."))
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
    with atomic_writer(path, binary=isinstance(data, bytes)) as fh:
        fh.write(data)


@contextmanager
def atomic_writer(path: Path, binary: bool = False):
    """A file object whose content replaces `path` only when the block ends without error."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb" if binary else "w", **({} if binary else {"encoding": "utf-8"})) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


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


# --- one file: extract, write its cache entry and per-document outputs ----------------------

class _TripleList(list):
    """What kg.rdf writes into, without the cost of an rdflib Graph: a plain list of triples."""

    def add(self, triple) -> None:
        self.append(triple)


def _ntriples_lines(triples) -> list[str]:
    import pyoxigraph as ox

    from kg.store.oxigraph import to_oxigraph
    data = ox.serialize((ox.Triple(*map(to_oxigraph, t)) for t in set(triples)), format=ox.RdfFormat.N_TRIPLES)
    return sorted(set(data.decode("utf-8").splitlines()))


def document_triples(doc: Document) -> tuple[list[str], list[str]]:
    """N-Triples lines about the document's own nodes (their IRIs carry the document key) and
    about nodes other documents may describe too (organisations), each sorted."""
    from kg.rdf import _key, add_document
    sink = _TripleList()
    add_document(sink, doc)
    key = _key(doc.doc)
    own, shared = [], []
    for t in sink:
        segments = str(t[0]).split("/")
        (own if key in segments else shared).append(t)
    return _ntriples_lines(own), _ntriples_lines(shared)


def _extract_to_cache(task: tuple[str, str, str, str]) -> dict:
    """Worker: one file -> cache entry + extract/<doc>.json + text/<doc>.txt; returns the summary."""
    from kg.cache import ExtractionCache
    path, key, out_dir, fingerprint = task
    cache = ExtractionCache(Path(out_dir) / "cache", fingerprint)
    try:
        doc = process_file(path)
    except PolicyKGError as err:
        summary = {"path": path, "skipped": err.reason}
        cache.put(key, summary)
        return summary
    from kg.coverage import document_coverage
    own, shared = document_triples(doc)
    summary = {"path": path, "doc": doc.doc, "sources": len(doc.sources),
               "measures": sum(len(s.measures) for s in doc.sources), "own": len(own), "shared": shared}
    _write_document_outputs(doc, Path(out_dir))
    cache.put(key, summary, "".join(line + "\n" for line in own), doc, coverage=document_coverage(doc))
    return summary


def _write_document_outputs(doc: Document, out_dir: Path) -> None:
    write_gold(doc, out_dir / "extract")
    write_extracted_text(doc, out_dir)


def _init_worker() -> None:
    from kg.extract.pipeline import build_nlp
    build_nlp()


def _extract_all(tasks: list[tuple[str, str, str, str]], jobs: int,
                 done: Callable[[dict], None]) -> None:
    if jobs <= 1 or len(tasks) < MIN_FILES_PER_WORKER * 2:
        for task in tasks:
            done(_extract_to_cache(task))
        return
    jobs = min(jobs, len(tasks) // MIN_FILES_PER_WORKER)
    # forkserver: workers start from a clean, preloaded process (no threads or locks of ours)
    method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    ctx = multiprocessing.get_context(method)
    if method == "forkserver":
        ctx.set_forkserver_preload(["kg.build", "kg.extract.pipeline", "kg.rdf"])
    with ctx.Pool(jobs, initializer=_init_worker) as pool:
        for summary in pool.imap_unordered(_extract_to_cache, tasks, chunksize=4):
            done(summary)


# --- the whole build ---------------------------------------------------------------------------

def _read_manifest(out_dir: Path) -> dict:
    try:
        return json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def build(paths: Iterable[str | Path], out_dir: str | Path = "build",
          progress: Callable[[Path], None] | None = None, files: list[Path] | None = None,
          jobs: int | None = None, store: str = "oxigraph", keep_documents: bool = False) -> BuildResult:
    """Build the graph of `paths` (or of `files`, already discovered) into `out_dir`.

    jobs: worker processes for extraction (default: all cores). store: "oxigraph" also writes
    the embedded store, "memory" only the graph files (the memory store reads graph.nt).
    keep_documents: return every processed Document in `result.documents` (small corpora only:
    the documents of a large corpus do not fit in memory)."""
    from kg.cache import ExtractionCache
    out_dir = Path(out_dir)
    if files is None:
        files, problems = discover(paths)
    else:
        problems = []
    result = BuildResult(skipped=list(problems))
    jobs = jobs or os.cpu_count() or 1
    with build_lock(out_dir):
        remove_leftovers(out_dir)
        cache = ExtractionCache(out_dir / "cache")
        cache.prune_other_fingerprints()
        keyed: list[tuple[Path, str]] = []
        for path in dict.fromkeys(files):   # a file named twice is built once
            try:
                keyed.append((path, file_key_of(path, cache.fingerprint)))
            except PolicyKGError as err:
                result.skipped.append((str(path), err.reason))
        old = _read_manifest(out_dir)
        entries = [[str(p), k] for p, k in keyed]
        expected = ["graph.nt", "graph.ttl"] + (["store"] if store == "oxigraph" else [])
        if (old.get("fingerprint") == cache.fingerprint and old.get("entries") == entries
                and all((out_dir / name).exists() for name in expected) and not keep_documents
                and all(cache.has(k) for _, k in keyed)):
            return _up_to_date(old, out_dir, result, progress, keyed, store)

        summaries: dict[str, dict] = {}
        todo = []
        for path, key in keyed:
            summary = cache.summary(key) if cache.has(key) else None
            if summary is None:
                todo.append((str(path), key, str(out_dir), cache.fingerprint))
                continue
            summaries[key] = summary
            result.reused += 1
            if progress:
                progress(path)
        by_path = {str(p): (p, k) for p, k in keyed}

        def done(summary: dict) -> None:
            path, key = by_path[summary["path"]]
            summaries[key] = summary
            result.extracted += 1
            if progress:
                progress(path)
        _extract_all(todo, jobs, done)

        # Outputs of reused entries that are missing or were written from other content.
        old_keys = {p: k for p, k in old.get("entries", [])}
        fresh = {t[1] for t in todo}
        docs = []
        for path, key in keyed:
            s = summaries[key]
            if "skipped" in s:
                result.skipped.append((str(path), s["skipped"]))
                continue
            stale = key not in fresh and (old_keys.get(str(path)) != key
                                          or not (out_dir / "extract" / f"{s['doc']}.json").exists())
            if stale or keep_documents:
                doc = cache.document(key)
                if doc is None:
                    raise PolicyKGError("cache entry is damaged; delete the cache folder and build again",
                                        out_dir / "cache")
                if stale:
                    doc.path = str(path)      # as given this time (the key is the absolute path)
                    _write_document_outputs(doc, out_dir)
                if keep_documents:
                    result.documents.append(doc)
            docs.append((s["doc"], key, s))
        _remove_outputs_of_dropped(out_dir, old, {d for d, _, _ in docs}, cache)

        docs.sort(key=lambda x: x[0])
        result.document_count = len(docs)
        result.source_count = sum(s["sources"] for _, _, s in docs)
        result.measure_count = sum(s["measures"] for _, _, s in docs)
        nt = out_dir / "graph.nt"
        result.triples = write_ntriples(nt, [(key, s) for _, key, s in docs], cache)
        ttl = write_turtle(nt, out_dir / "graph.ttl")
        result.outputs.update({"turtle": ttl, "ntriples": nt, "extract": out_dir / "extract"})
        if store == "oxigraph":
            result.outputs["store"] = write_store(nt, out_dir / "store")
        elif (out_dir / "store").exists():
            shutil.rmtree(out_dir / "store")   # would be stale
        atomic_write(out_dir / MANIFEST, json.dumps({
            "fingerprint": cache.fingerprint, "entries": entries, "store": store,
            "totals": {"documents": result.document_count, "sources": result.source_count,
                       "measures": result.measure_count, "triples": result.triples},
            "skipped": [s for s in result.skipped if s not in problems]}, ensure_ascii=False))
    return result


def file_key_of(path: Path, fingerprint: str) -> str:
    from kg.cache import file_key
    return file_key(path, read_bytes(path), fingerprint)


def _up_to_date(old: dict, out_dir: Path, result: BuildResult, progress, keyed, store: str) -> BuildResult:
    totals = old.get("totals", {})
    result.up_to_date = True
    result.reused = len(keyed)
    result.document_count = totals.get("documents", 0)
    result.source_count = totals.get("sources", 0)
    result.measure_count = totals.get("measures", 0)
    result.triples = totals.get("triples", 0)
    result.skipped += [tuple(s) for s in old.get("skipped", [])]
    result.outputs.update({"turtle": out_dir / "graph.ttl", "ntriples": out_dir / "graph.nt",
                           "extract": out_dir / "extract"})
    if store == "oxigraph":
        result.outputs["store"] = out_dir / "store"
    if progress:
        for path, _ in keyed:
            progress(path)
    return result


def _remove_outputs_of_dropped(out_dir: Path, old: dict, kept: set[str], cache) -> None:
    """Documents built last time but not now leave no extract/ or text/ file behind."""
    for _, key in old.get("entries", []):
        s = cache.summary(key) or {}
        doc = s.get("doc")
        if doc and doc not in kept:
            (out_dir / "extract" / f"{doc}.json").unlink(missing_ok=True)
            (out_dir / "text" / f"{doc}.txt").unlink(missing_ok=True)


def vocabulary_lines(cache=None) -> list[str]:
    """The vocabulary files and the extraction activity, as sorted N-Triples lines (kept in the
    cache: the fingerprint covers the vocabulary files, and parsing them takes seconds)."""
    from kg.rdf import add_activity, vocabulary_graph
    saved = cache.dir / "vocabulary.nt" if cache is not None else None
    if saved is not None and saved.exists():
        return saved.read_text(encoding="utf-8").splitlines()
    g = vocabulary_graph()
    add_activity(g)
    lines = _ntriples_lines(g)
    if saved is not None:
        atomic_write(saved, "".join(line + "\n" for line in lines))
    return lines


def write_ntriples(path: Path, docs: list[tuple[str, dict]], cache) -> int:
    """Stream graph.nt from the cache entries, then the theme coverage they add up to (kg.coverage);
    returns the number of triples."""
    from kg.coverage import Coverage
    coverage = Coverage()
    header = vocabulary_lines(cache)
    seen = set(header)
    shared: set[str] = set()
    count = len(header)
    with atomic_writer(path, binary=True) as out:
        out.write("".join(line + "\n" for line in header).encode("utf-8"))
        for key, summary in docs:
            with open(cache.triples_path(key), "rb") as fh:
                shutil.copyfileobj(fh, out, 1 << 20)
            count += summary["own"]
            shared.update(summary["shared"])
            coverage.add(cache.coverage(key))      # read here, not kept with the summaries
        shared -= seen
        out.write("".join(line + "\n" for line in sorted(shared)).encode("utf-8"))
        count += len(shared)
        for node in coverage.nodes():
            lines = _ntriples_lines(node)
            out.write("".join(line + "\n" for line in lines).encode("utf-8"))
            count += len(lines)
    return count


def write_turtle(nt: Path, ttl: Path) -> Path:
    """Turtle with the project's prefixes, streamed by Oxigraph from the N-Triples file (whose
    triples are grouped by subject, so the Turtle groups them too)."""
    import pyoxigraph as ox

    from kg.vocab import PREFIXES
    prefixes = {p: str(ns) for p, ns in PREFIXES.items()} | {
        "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
        "xsd": "http://www.w3.org/2001/XMLSchema#", "owl": "http://www.w3.org/2002/07/owl#"}
    with atomic_writer(ttl, binary=True) as out:
        ox.serialize(ox.parse(path=str(nt), format=ox.RdfFormat.N_TRIPLES), out, ox.RdfFormat.TURTLE,
                     prefixes=prefixes)
    return ttl


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux renameat2 RENAME_EXCHANGE); False where unsupported."""
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    return renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0


def write_store(nt: Path, path: Path) -> Path:
    """Load the graph into a fresh Oxigraph store beside the old one, then swap them in one
    step, so a build killed at any moment leaves a whole store (old or new) in place."""
    from kg.store.oxigraph import OxigraphStore
    fresh = path.with_name(f".{path.name}.{os.getpid()}.new")
    store = OxigraphStore.from_ntriples(nt, fresh)
    store.store.flush()
    # Compact what the bulk loads left as many small files: each lookup then reads one file
    # per level instead of probing them all (queries ~40% faster, for seconds of build time).
    store.store.optimize()
    del store
    if path.exists() and _exchange(fresh, path):
        shutil.rmtree(fresh)              # now holds the old store
        return path
    old = path.with_name(f".{path.name}.{os.getpid()}.old")
    if path.exists():
        path.rename(old)
    fresh.rename(path)
    if old.exists():
        shutil.rmtree(old)
    return path


def remove_leftovers(out_dir: Path) -> None:
    """Temporary files and stores of a build that was killed (called under the build lock)."""
    for leftover in out_dir.glob(".*.tmp"):
        leftover.unlink(missing_ok=True)
    for leftover in list(out_dir.glob(".*.new")) + list(out_dir.glob(".*.old")):
        shutil.rmtree(leftover, ignore_errors=True) if leftover.is_dir() else leftover.unlink(missing_ok=True)
