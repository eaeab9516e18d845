"""Original text -> normalized text for matching (Traditional -> Simplified with OpenCC,
full-width ASCII -> half-width, CR dropped), with a map from every normalized character back to
its offset in the original, so each extracted fact can quote the original characters."""
from __future__ import annotations

from functools import lru_cache

import opencc


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def _half_width(ch: str) -> str:
    code = ord(ch)
    if 0xFF01 <= code <= 0xFF5E:
        return chr(code - 0xFEE0)
    if code == 0x3000:
        return " "
    return ch


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


def normalize(original: str, ranges: list[tuple[int, int]] | None = None) -> tuple[str, list[int]]:
    """Return (normalized, offset_map) for the kept `ranges` of `original` (all by default).
    offset_map[i] is the original offset of normalized char i; one extra entry marks the end."""
    if ranges is None:
        ranges = [(0, len(original))]
    chars: list[str] = []
    offsets: list[int] = []
    for a, b in ranges:
        segment = original[a:b]
        simplified = to_simplified(segment)
        for i, ch in enumerate(simplified):
            if segment[i] == "\r":
                if a + i + 1 < len(original) and original[a + i + 1] == "\n":
                    continue
                ch = "\n"   # a lone CR ends a line too
            chars.append(_half_width(ch))
            offsets.append(a + i)
    offsets.append(offsets[-1] + 1 if offsets else 0)
    return "".join(chars), offsets
