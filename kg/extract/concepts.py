"""Match vocabulary concepts (themes, beneficiary groups) in a measure from their SKOS labels.

prefLabel/altLabel are strong cues: one occurrence assigns the concept. hiddenLabel is a weak
cue, a word that also appears in passing: it assigns the concept only when it is in the
measure's title or the concept's weak cues occur at least twice in the body.
Matching is leftmost-longest over all labels, so 科技型中小企业 is not also read as 企业.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from kg.model import Mention
from kg.vocab import Concept

WEAK_MIN = 2


@dataclass
class _Label:
    concept: str
    strong: bool


class ConceptMatcher:
    def __init__(self, concepts: dict[str, Concept]):
        self.labels: dict[str, _Label] = {}
        for cid, c in concepts.items():
            for label in c.strong:
                self.labels.setdefault(label, _Label(cid, True))
            for label in c.weak:
                self.labels.setdefault(label, _Label(cid, False))
        ordered = sorted(self.labels, key=len, reverse=True)
        self.pattern = re.compile("|".join(re.escape(x) for x in ordered)) if ordered else None

    def hits(self, text: str) -> list[tuple[re.Match, _Label]]:
        if self.pattern is None:
            return []
        return [(m, self.labels[m.group()]) for m in self.pattern.finditer(text)]

    def __call__(self, text: str, title_end: int = 0) -> list[Mention]:
        """Concepts of `text`; characters before `title_end` are the measure's title."""
        strong: dict[str, Mention] = {}
        weak: dict[str, list[Mention]] = {}
        in_title: set[str] = set()
        for m, label in self.hits(text):
            mention = Mention(label.concept, m.start(), m.end(), m.group())
            if label.strong:
                strong.setdefault(label.concept, mention)
            else:
                weak.setdefault(label.concept, []).append(mention)
            if m.start() < title_end:
                in_title.add(label.concept)
        found = dict(strong)
        for cid, mentions in weak.items():
            if cid not in found and (cid in in_title or len(mentions) >= WEAK_MIN):
                found[cid] = mentions[0]
        return sorted(found.values(), key=lambda x: (x.start, x.id))
