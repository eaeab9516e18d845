"""Typed, plain data passed between the stages (ingest -> segment -> extract -> rdf).

Offsets (`start`, `end`) are always into `Document.normalized`; `Document.original_span`
turns them into offsets into the original text, which is what provenance records.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass
class Amount:
    text: str            # the normalized wording that states the amount ("最高补助50万元")
    kind: str            # cap | fixed | floor | rate | total | duration | count | stat
    value: float         # CNY, fraction (0.7), years or items
    unit: str            # CNY | ratio | year | item
    start: int = 0       # span of `text` in the string given to the parser
    end: int = 0
    purpose: str | None = None    # what the amount is for, where the sentence says it
    recipient: str | None = None  # who receives it, where the sentence says it


@dataclass
class Mention:
    """A vocabulary concept (theme or beneficiary id) and the words that evidence it."""
    id: str
    start: int
    end: int
    text: str


@dataclass
class Measure:
    n: str                         # number as printed ("4"), or "s3" for unnumbered sections
    title: str | None
    start: int                     # span of the whole measure (heading + body)
    end: int
    part: str | None = None        # the heading of the part (一、…) it belongs to
    themes: list[Mention] = field(default_factory=list)
    beneficiaries: list[Mention] = field(default_factory=list)
    amounts: list[Amount] = field(default_factory=list)
    units: list[str] = field(default_factory=list)        # responsible units, normalized


@dataclass
class Source:
    """One issuing or speaking region's part of a text, and the policy it describes."""
    region: str                    # canonical Simplified name ("厦门市")
    start: int
    end: int
    region_id: str | None = None   # id in ontology/regions.ttl ("xiamen")
    province: str | None = None
    level: str | None = None
    policy_title: str | None = None
    issuer: str | None = None
    doc_number: str | None = None
    date: str | None = None
    status: str | None = None      # in-force | draft | trial | interpretation | news | statement
    validity_years: float | None = None
    speaker: str | None = None
    measures: list[Measure] = field(default_factory=list)
    stats: list[Amount] = field(default_factory=list)   # reported statistics outside measures


@dataclass
class Document:
    path: str                      # as given by the user
    doc: str                       # file stem, the document key
    original: str                  # decoded text of the file, as the user would read it
    normalized: str                # chrome stripped, Simplified, half-width
    offset_map: Sequence[int]      # normalized index -> original index (len(normalized) + 1);
                                   # an array('i') from ingest: 4 bytes a character
    encoding: str = "utf-8"
    sha256: str = ""
    meta: dict = field(default_factory=dict)
    sources: list[Source] = field(default_factory=list)

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Offsets in `original` of the normalized span [start, end)."""
        if end <= start:
            o = self.offset_map[start]
            return o, o
        return self.offset_map[start], self.offset_map[end - 1] + 1

    def quote(self, start: int, end: int) -> str:
        """The original characters behind a normalized span."""
        a, b = self.original_span(start, end)
        return self.original[a:b]
