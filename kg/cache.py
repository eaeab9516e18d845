"""Per-file extraction cache, so a rebuild re-extracts only new or changed files.

An entry is keyed by the SHA-256 of (pipeline fingerprint, the file's absolute path, its bytes)
and lives under `<out>/cache/<fingerprint>/`:

    <key>.json   summary: document key, counts, the triples about shared nodes (organisations),
                 or the reason the file was skipped
    <key>.coverage.json  the document's share of the theme coverage (kg.coverage), read one
                 document at a time when the graph is written
    <key>.nt     the document's own triples, N-Triples, sorted
    <key>.pkl    the processed Document (pickle), for callers that want the objects back

The fingerprint hashes the code and vocabulary that extraction and RDF depend on (kg/ingest,
kg/segment, kg/extract, kg/rdf.py, ontology/*.ttl, ...) and the versions of the libraries they use, so
editing any of them invalidates every entry without a version number to remember. Entries of
other fingerprints are deleted by `prune_other_fingerprints`.
"""
from __future__ import annotations

import hashlib
import json
import os
import pickle
import shutil
from functools import lru_cache
from pathlib import Path

from kg.model import Document

PACKAGE_DIR = Path(__file__).resolve().parent
# What an extraction result depends on (relative to the kg package; folders are read whole).
PIPELINE_SOURCES = ("__init__.py", "model.py", "orgs.py", "rdf.py", "goldjson.py", "vocab.py",
                    "cache.py", "coverage.py", "ingest", "segment", "extract", "../ontology")


@lru_cache(maxsize=1)
def pipeline_fingerprint() -> str:
    """16 hex digits that change whenever the extraction code, the vocabulary or the NLP
    libraries change."""
    from importlib.metadata import PackageNotFoundError, version
    libraries = []
    for name in ("spacy", "jieba", "opencc", "rdflib"):
        try:
            libraries.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            libraries.append(f"{name} -")
    h = hashlib.sha256(" ".join(libraries).encode())
    for name in PIPELINE_SOURCES:
        root = (PACKAGE_DIR / name).resolve()
        files = sorted(p for p in root.rglob("*") if p.suffix in (".py", ".ttl")) if root.is_dir() else [root]
        for path in files:
            if path.exists():
                h.update(str(path.relative_to(PACKAGE_DIR.parent)).encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:16]


def file_key(path: str | Path, data: bytes, fingerprint: str | None = None) -> str:
    h = hashlib.sha256((fingerprint or pipeline_fingerprint()).encode() + b"\0")
    h.update(str(Path(path).resolve()).encode() + b"\0")   # corpus/x.txt and ./corpus/x.txt alike
    h.update(data)
    return h.hexdigest()


class ExtractionCache:
    def __init__(self, root: str | Path, fingerprint: str | None = None):
        self.fingerprint = fingerprint or pipeline_fingerprint()
        self.base = Path(root)
        self.dir = self.base / self.fingerprint

    def _path(self, key: str, suffix: str) -> Path:
        return self.dir / key[:2] / f"{key}{suffix}"

    def summary(self, key: str) -> dict | None:
        try:
            return json.loads(self._path(key, ".json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def has(self, key: str) -> bool:
        s = self.summary(key)
        return s is not None and ("skipped" in s or (self._path(key, ".nt").exists()
                                                      and self._path(key, ".coverage.json").exists()))

    def coverage(self, key: str) -> dict:
        try:
            return json.loads(self._path(key, ".coverage.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            from kg.errors import PolicyKGError
            raise PolicyKGError("cache entry is damaged; delete the cache folder and build again",
                                self._path(key, ".coverage.json")) from None

    def triples_path(self, key: str) -> Path:
        return self._path(key, ".nt")

    def document(self, key: str) -> Document | None:
        try:
            with open(self._path(key, ".pkl"), "rb") as fh:
                return pickle.load(fh)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
            return None

    def put(self, key: str, summary: dict, own_triples: str = "", document: Document | None = None,
            coverage: dict | None = None) -> None:
        """Write an entry; the summary goes last, so a half-written entry is never seen as present."""
        folder = self._path(key, "").parent
        folder.mkdir(parents=True, exist_ok=True)
        if "skipped" not in summary:
            _write(self._path(key, ".nt"), own_triples.encode("utf-8"))
            _write(self._path(key, ".coverage.json"), json.dumps(coverage or {"themes": [], "regions": []},
                                                                 ensure_ascii=False).encode("utf-8"))
            if document is not None:
                _write(self._path(key, ".pkl"), pickle.dumps(document, protocol=pickle.HIGHEST_PROTOCOL))
        _write(self._path(key, ".json"), json.dumps(summary, ensure_ascii=False).encode("utf-8"))

    def prune_other_fingerprints(self) -> None:
        """Entries made by older code can never be hit again: remove them."""
        if not self.base.is_dir():
            return
        for child in self.base.iterdir():
            if child.is_dir() and child.name != self.fingerprint:
                shutil.rmtree(child, ignore_errors=True)


def _write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
