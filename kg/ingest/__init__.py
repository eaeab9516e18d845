"""Read a policy file into a Document: bytes -> text -> page chrome stripped -> normalized,
with the offset map back to the original characters.

Plain text, web pages, Word files (.docx, and .doc through a converter) and PDFs are read; for
all but plain text, `Document.original` is the text extracted from the file, which is what
provenance offsets refer to and what `write_extracted_text` saves beside the graph.
"""
from __future__ import annotations

import hashlib
import io
import os
import zipfile
from pathlib import Path

from kg.errors import PolicyKGError
from kg.ingest.chrome import kept_line_ranges
from kg.ingest.decode import decode_bytes
from kg.ingest.normalize import normalize
from kg.model import Document

TEXT_SUFFIXES = {".txt", ".text", ".md", ""}
HTML_SUFFIXES = {".html", ".htm", ".xhtml", ".shtml"}
# What `build` picks up from a folder (a file named explicitly is always tried).
SUPPORTED_SUFFIXES = {".txt", ".text", ".md", *HTML_SUFFIXES, ".docx", ".doc", ".pdf"}

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"   # the container of .doc (Word 97-2003)


def file_format(data: bytes, suffix: str) -> str:
    """txt | html | docx | doc | pdf, from the bytes first (a .doc saved from a web site is often
    HTML, a renamed .docx is still a zip) and the suffix second."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        try:
            if "word/document.xml" in zipfile.ZipFile(io.BytesIO(data)).namelist():
                return "docx"
        except zipfile.BadZipFile:
            pass
    if data.startswith(_OLE):
        return "doc"
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if suffix in HTML_SUFFIXES or head.startswith((b"<!doctype html", b"<html")):
        return "html"
    if suffix in TEXT_SUFFIXES:
        return "txt"
    return suffix.lstrip(".") or "txt"


def read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except IsADirectoryError:
        raise PolicyKGError("is a directory, not a file", path) from None
    except PermissionError:
        raise PolicyKGError("permission denied", path) from None
    except FileNotFoundError:
        raise PolicyKGError("no such file", path) from None
    except OSError as err:
        raise PolicyKGError(f"cannot read ({err.strerror or err})", path) from None


def document_from_text(original: str, path: str, doc: str, encoding: str = "utf-8",
                       sha256: str = "", meta: dict | None = None) -> Document:
    """Strip chrome and normalize an already extracted text."""
    normalized, offset_map = normalize(original, kept_line_ranges(original))
    if not normalized.strip():
        raise PolicyKGError("no text left after removing page chrome", path)
    return Document(path=path, doc=doc, original=original, normalized=normalized,
                    offset_map=offset_map, encoding=encoding, sha256=sha256, meta=meta or {})


def extract_text(data: bytes, path: Path) -> tuple[str, str, dict]:
    """(text, encoding, metadata) of a file's bytes, whatever its format."""
    kind = file_format(data, path.suffix.lower())
    if kind == "txt":
        text, encoding = decode_bytes(data, path)
        return text, encoding, {"format": "txt"}
    if kind == "html":
        from kg.ingest.html import read_html
        return read_html(data, path)
    if kind == "docx":
        from kg.ingest.docx import docx_to_text as reader
    elif kind == "pdf":
        from kg.ingest.pdf import pdf_to_text as reader
    elif kind == "doc":
        from kg.ingest.doc import doc_to_text as reader
    else:
        supported = ", ".join(sorted(x for x in SUPPORTED_SUFFIXES if x))
        raise PolicyKGError(f"unsupported file type '{path.suffix}' (supported: {supported})", path)
    text, meta = reader(data, path)
    return text, "utf-8" if kind == "docx" else "unicode", meta


def load_document(path: str | Path) -> Document:
    """Read one policy file. Raises PolicyKGError (one line, naming the file) when it can't."""
    path = Path(path)
    data = read_bytes(path)
    sha = hashlib.sha256(data).hexdigest()
    text, encoding, meta = extract_text(data, path)
    return document_from_text(text, str(path), path.stem, encoding, sha, meta)


def extracted_text_path(out_dir: str | Path, doc: str) -> Path:
    """Where the build keeps the text that a document's provenance offsets refer to."""
    return Path(out_dir) / "text" / f"{doc}.txt"


def write_extracted_text(doc: Document, out_dir: str | Path) -> Path:
    """Save `doc.original` (UTF-8) as <out>/text/<doc>.txt, so every quote can be checked:
    text[oa:start:oa:end] == oa:exact, with the text read as written (newline="" in Python keeps
    any CR). Written beside and renamed, never half written."""
    target = extracted_text_path(out_dir, doc.doc)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    with open(tmp, "w", encoding="utf-8", newline="") as fh:
        fh.write(doc.original)
    tmp.replace(target)
    return target
