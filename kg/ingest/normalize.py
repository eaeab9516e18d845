"""Original text -> normalized text for matching (Traditional -> Simplified with OpenCC,
full-width ASCII -> half-width, CR dropped), with a map from every normalized character back to
its offset in the original, so each extracted fact can quote the original characters.

Linear in the text and compact: the map is an `array` of machine integers (4 bytes a character,
not a Python int object each), so a text of a hundred megabytes still fits in memory.
"""
from __future__ import annotations

import re
from array import array
from collections.abc import Iterable
from functools import lru_cache

import opencc

# Full-width ASCII (U+FF01..U+FF5E) and the ideographic space -> their half-width forms.
# (A regex substitution: three times faster than str.translate on Chinese text.)
_HALF_WIDTH = {chr(code): chr(code - 0xFEE0) for code in range(0xFF01, 0xFF5F)} | {"\u3000": " "}
_FULL_WIDTH = re.compile("[\uff01-\uff5e\u3000]")


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def half_width(text: str) -> str:
    return _FULL_WIDTH.sub(lambda m: _HALF_WIDTH[m.group()], text)


def to_simplified(segment: str) -> str:
    """OpenCC t2s, guaranteed to keep the length (so offsets stay aligned): phrases whose
    conversion changes length fall back to a character-by-character conversion."""
    converted = _t2s().convert(segment)
    if len(converted) == len(segment):
        return converted
    out = []
    for line in segment.splitlines(keepends=True):
        conv = _t2s().convert(line)
        out.append(conv if len(conv) == len(line) else
                   "".join(c if len(c := _t2s().convert(ch)) == 1 else ch for ch in line))
    return "".join(out)


def offset_array(size_hint: int = 0) -> array:
    """An empty offset map able to hold offsets up to `size_hint`."""
    return array("i" if size_hint < 2**31 - 1 else "q")


def _merged(ranges: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Adjacent ranges joined (kept lines mostly follow each other): fewer, longer conversions."""
    out: list[list[int]] = []
    for a, b in ranges:
        if b <= a:
            continue
        if out and out[-1][1] == a:
            out[-1][1] = b
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]


def normalize(original: str, ranges: Iterable[tuple[int, int]] | None = None) -> tuple[str, array]:
    """Return (normalized, offset_map) for the kept `ranges` of `original` (all by default).
    offset_map[i] is the original offset of normalized char i; one extra entry marks the end.
    A CR followed by LF in the original is dropped; a lone CR becomes LF (it ends a line too)."""
    if ranges is None:
        ranges = [(0, len(original))]
    pieces: list[str] = []
    offsets = offset_array(len(original) + 1)
    for a, b in _merged(ranges):
        raw = original[a:b]
        converted = half_width(to_simplified(raw))
        pos = 0
        while (cr := raw.find("\r", pos)) >= 0:
            pieces.append(converted[pos:cr])
            offsets.extend(range(a + pos, a + cr))
            if original[a + cr + 1 : a + cr + 2] != "\n":
                pieces.append("\n")
                offsets.append(a + cr)
            pos = cr + 1
        pieces.append(converted[pos:])
        offsets.extend(range(a + pos, b))
    offsets.append(offsets[-1] + 1 if offsets else 0)
    return "".join(pieces), offsets
