"""Read a policy file into a Document: bytes -> text -> page chrome stripped -> normalized,
with the offset map back to the original characters."""
from __future__ import annotations

import hashlib
from pathlib import Path

from kg.errors import PolicyKGError
from kg.ingest.chrome import kept_line_ranges
from kg.ingest.decode import decode_bytes
from kg.ingest.normalize import normalize
from kg.model import Document

TEXT_SUFFIXES = {".txt", ".text", ".md", ""}
# What `build` picks up from a folder (a file named explicitly is always tried).
SUPPORTED_SUFFIXES = {".txt", ".text", ".md"}


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


def load_document(path: str | Path) -> Document:
    """Read one policy file. Raises PolicyKGError (one line, naming the file) when it can't."""
    path = Path(path)
    data = read_bytes(path)
    sha = hashlib.sha256(data).hexdigest()
    suffix = path.suffix.lower()
    if suffix not in TEXT_SUFFIXES:
        raise PolicyKGError(f"unsupported file type '{suffix}'", path)
    text, encoding = decode_bytes(data, path)
    return document_from_text(text, str(path), path.stem, encoding, sha)
