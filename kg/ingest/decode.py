"""Bytes -> str: detect the encoding of a policy text (UTF-8 with or without BOM, GB18030/GBK,
Big5, UTF-16) with charset-normalizer, and refuse what is not text."""
from __future__ import annotations

import codecs

from charset_normalizer import from_bytes

from kg.errors import PolicyKGError

# Chinese policy texts come in these; restricting the detector avoids exotic single-byte guesses.
CANDIDATES = ["utf_8", "gb18030", "big5", "utf_16", "utf_32"]
_BOMS = [(codecs.BOM_UTF32_LE, "utf_32"), (codecs.BOM_UTF32_BE, "utf_32"),
         (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf_16"), (codecs.BOM_UTF16_BE, "utf_16")]
# A UTF-8 text with a few damaged bytes (a bad copy) is still read, the damage shown as U+FFFD,
# when at most one in this many of its non-ASCII characters is damaged. Text in another
# encoding read as UTF-8 damages nearly all of them.
DAMAGE_TOLERANCE = 100


def decode_bytes(data: bytes, path: object = None) -> tuple[str, str]:
    """Return (text, encoding name). Raises PolicyKGError for empty or binary input."""
    text, encoding = _decode(data, path)
    if not text.strip():   # only a BOM, or blanks in UTF-16
        raise PolicyKGError("empty file", path)
    return text, encoding


def _decode(data: bytes, path: object) -> tuple[str, str]:
    if not data.strip():
        raise PolicyKGError("empty file", path)
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(name), name
            except UnicodeDecodeError:
                break
    if b"\x00" in data[:4096]:
        raise PolicyKGError("binary file, not text (NUL bytes)", path)
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as err:
        # A file cut mid-character is still UTF-8: keep all but the broken tail.
        if err.start >= len(data) - 3 and err.reason == "unexpected end of data":
            return data[: err.start].decode("utf-8"), "utf-8"
    text = data.decode("utf-8", errors="replace")
    damaged = text.count("\ufffd") - data.count("\ufffd".encode())
    if damaged * DAMAGE_TOLERANCE <= len(text) - len(text.encode("ascii", "ignore")) - damaged:
        return text, "utf-8"
    best = from_bytes(data, cp_isolation=CANDIDATES).best()
    if best is None and data[-1:] >= b"\x80":
        # A double-byte text (GB18030, Big5) cut after the first byte of its last character.
        best = from_bytes(data[:-1], cp_isolation=CANDIDATES).best()
    if best is None or best.encoding is None:
        raise PolicyKGError("not a text file in a known encoding (UTF-8, GB18030, Big5)", path)
    text = str(best)
    if _control_ratio(text) > 0.05:
        raise PolicyKGError("binary file, not text", path)
    return text, best.encoding


def _control_ratio(text: str) -> float:
    sample = text[:20000]
    bad = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\r\n\t\f")
    return bad / max(1, len(sample))
