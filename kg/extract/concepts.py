"""Match vocabulary concepts (themes, beneficiary groups) in a measure from their SKOS labels.

prefLabel/altLabel are strong cues: one occurrence assigns the concept. hiddenLabel is a weak
cue, a word that also appears in passing: it assigns the concept only when it is in the
measure's title or the concept's weak cues occur at least twice in the body.
Matching is leftmost-longest over all labels, so 科技型中小企业 is not also read as 企业.
For themes, a strong cue that names a resource relied on (依托/依靠/借助 …) counts as weak: the
measure uses the platform, it does not treat it. Beneficiaries keep such mentions: they take part.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from kg.model import Mention
from kg.vocab import Concept

WEAK_MIN = 2
# Words that make what follows them, up to the end of the clause, a resource relied on rather
# than the subject of the measure: "依托高校、创新平台、技术转移服务机构等,开展……".
RELIED_ON = re.compile(r"(?:依托|依靠|借助)[^,;。:!?]*$")
CLAUSE_LOOKBACK = 60


@dataclass
class _Label:
    concepts: list[str]    # a label may name several concepts: 高校院所 = university + institute
    strong: bool


class ConceptMatcher:
    def __init__(self, concepts: dict[str, Concept], weaken_relied_on: bool = False):
        self.weaken_relied_on = weaken_relied_on
        self.labels: dict[str, _Label] = {}
        for strong in (True, False):
            for cid, c in concepts.items():
                for label in (c.strong if strong else c.weak):
                    entry = self.labels.setdefault(label, _Label([], strong))
                    if entry.strong == strong and cid not in entry.concepts:
                        entry.concepts.append(cid)
        ordered = sorted(self.labels, key=len, reverse=True)
        self.pattern = re.compile("|".join(re.escape(x) for x in ordered)) if ordered else None

    def hits(self, text: str) -> list[tuple[re.Match, _Label]]:
        if self.pattern is None:
            return []
        return [(m, self.labels[m.group()]) for m in self.pattern.finditer(text)]

    def __call__(self, text: str, title_end: int = 0) -> list[Mention]:
        """Concepts of `text`; characters before `title_end` are the measure's title.
        (Word boundaries from jieba were tried as a filter for substring traps such as 中试 in
        集中试点; jieba merges too many true labels into longer words — 人才队伍, 风投基金 — so
        traps are handled by longer labels in the vocabulary instead.)"""
        strong: dict[str, Mention] = {}
        weak: dict[str, list[Mention]] = {}
        in_title: set[str] = set()
        for m, label in self.hits(text):
            relied_on = self.weaken_relied_on and bool(RELIED_ON.search(text[max(0, m.start() - CLAUSE_LOOKBACK):m.start()]))
            for cid in label.concepts:
                mention = Mention(cid, m.start(), m.end(), m.group())
                if label.strong and not relied_on:
                    strong.setdefault(cid, mention)
                else:
                    weak.setdefault(cid, []).append(mention)
                if m.start() < title_end:
                    in_title.add(cid)
        found = dict(strong)
        for cid, mentions in weak.items():
            if cid not in found and (cid in in_title or len(mentions) >= WEAK_MIN):
                found[cid] = mentions[0]
        return sorted(found.values(), key=lambda x: (x.start, x.id))
