"""How alike two measures are, and why: a weighted sum of three parts, each in [0, 1].

    score = 0.40 · themes  +  0.10 · beneficiaries  +  0.50 · text

- themes:        Jaccard index of the two measures' theme sets (|A ∩ B| / |A ∪ B|). Themes are the
                 comparison vocabulary, so sharing them weighs most; a measure treating one theme
                 is closer to another treating only that theme than to an omnibus section of seven.
- beneficiaries: Jaccard index of the beneficiary groups: who gets the support.
- text:          cosine of character n-gram TF-IDF vectors of the measure bodies (Simplified,
                 half-width). Character n-grams need no word segmentation and match the fixed
                 phrases policies reuse (概念验证, 先使用后付费, 最高补助); IDF lowers the words
                 every policy says (科技成果转化). Grams stay inside runs between punctuation, and
                 digits are one symbol, so 最高30万元 and 最高50万元 share their wording.
                 It tells apart measures that share themes, and finds neighbours where themes
                 were missed.

Cosines of whole measure bodies are small (Weihai draft against the other corpus texts: median
0.04 over all pairs, 0.08–0.29 for each draft measure's best match) while a Jaccard index is
often 0.5 or 1, hence the larger text weight.
Measured on the Weihai draft against the four other corpus texts (does the top match share a
hand-annotated theme? of 16 measures; of the 48 top-3 matches): themes alone 14 (40), text alone
14 (35), beneficiaries alone 10 (24), these weights 15 (44); other mixes tried (themes 0.25–0.5,
text 0.4–0.7) gave 15 (41–45): the parts are complementary and the ranking is not sensitive to
the exact weights. One TF-IDF fit per call: the vectoriser is fitted on the query and candidate
texts together.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

WEIGHTS = {"themes": 0.40, "beneficiaries": 0.10, "text": 0.50}
NGRAMS = (2, 3)

_NUMBER_PREFIX = re.compile(r"^\s*(?:[(（]?[0-9一二三四五六七八九十]+[)）.、．]|第[一二三四五六七八九十]+条)\s*")
_DIGITS = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_NON_WORD = re.compile(r"[^\w#]+")


@dataclass
class Item:
    """What the model sees of a measure."""
    themes: frozenset[str]
    beneficiaries: frozenset[str]
    text: str


@dataclass
class Match:
    index: int                     # into the candidates
    score: float
    parts: dict[str, float]        # weighted contribution of each part; they sum to `score`
    raw: dict[str, float]          # each part before weighting, in [0, 1]
    shared_themes: list[str] = field(default_factory=list)
    shared_beneficiaries: list[str] = field(default_factory=list)
    shared_words: list[str] = field(default_factory=list)   # the n-grams that weigh most in the cosine


def prepare(text: str) -> str:
    """Measure text for the vectoriser: without its printed number, digits as one symbol,
    punctuation and line breaks as word boundaries."""
    text = _NUMBER_PREFIX.sub("", text or "")
    text = _DIGITS.sub("#", text)
    return _NON_WORD.sub(" ", text).strip()


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    union = a | b
    return len(a & b) / len(union) if union else 0.0


class Model:
    """Fitted once on every text it will compare; rank() then scores any query against any
    candidates among them."""

    def __init__(self, queries: list[Item], candidates: list[Item], weights: dict[str, float] | None = None):
        from sklearn.feature_extraction.text import TfidfVectorizer
        self.queries, self.candidates = queries, candidates
        self.weights = dict(weights or WEIGHTS)
        texts = self.texts = [prepare(x.text) for x in queries + candidates]
        self.vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=NGRAMS)
        if any(t.strip() for t in texts):
            matrix = self.vectorizer.fit_transform(texts)      # rows are L2-normalised
            self.features = self.vectorizer.get_feature_names_out()
        else:                                                  # nothing to vectorise: text part 0
            from scipy.sparse import csr_matrix
            matrix = csr_matrix((len(texts), 1))
            self.features = np.array([""])
        self.q = matrix[:len(queries)]
        self.c = matrix[len(queries):]
        self.cosine = (self.q @ self.c.T).toarray() if len(queries) and len(candidates) else \
            np.zeros((len(queries), len(candidates)))

    def match(self, qi: int, ci: int) -> Match:
        q, c = self.queries[qi], self.candidates[ci]
        raw = {"themes": jaccard(q.themes, c.themes),
               "beneficiaries": jaccard(q.beneficiaries, c.beneficiaries),
               "text": float(min(max(self.cosine[qi, ci], 0.0), 1.0))}
        parts = {k: self.weights[k] * v for k, v in raw.items()}
        return Match(ci, sum(parts.values()), parts, raw,
                     sorted(q.themes & c.themes), sorted(q.beneficiaries & c.beneficiaries))

    def shared_words(self, qi: int, ci: int, limit: int = 4) -> list[str]:
        """The wording behind the cosine: the n-grams that contribute most, each grown to the
        longest run of characters both texts share around it (概念验证中心 rather than 念验证)."""
        product = self.q[qi].multiply(self.c[ci]).tocoo()
        if product.nnz == 0:
            return []
        a, b = self.texts[qi], self.texts[len(self.queries) + ci]
        words: list[str] = []
        for i in np.argsort(-product.data)[:limit * 4]:
            gram = str(self.features[product.col[i]]).strip()
            if len(gram) < 2 or "#" in gram or " " in gram:
                continue
            word = _grow(gram, a, b)
            if any(word in w for w in words):
                continue
            words = [w for w in words if w not in word] + [word]
            if len(words) >= limit:
                break
        return words

    def rank(self, qi: int, allowed: list[int] | None = None, top: int = 3,
             group_of: list[str] | None = None, per_group: int = 0) -> list[Match]:
        """The `top` best candidates for query `qi` (among `allowed`, default all), best first;
        ties broken by candidate order so the result is stable. With `group_of` and `per_group`,
        at most `per_group` candidates of one group (region)."""
        indices = range(len(self.candidates)) if allowed is None else allowed
        matches = sorted((self.match(qi, ci) for ci in indices), key=lambda m: (-round(m.score, 9), m.index))
        out: list[Match] = []
        taken: dict[str, int] = {}
        for m in matches:
            if len(out) >= top:
                break
            if group_of is not None and per_group > 0:
                g = group_of[m.index]
                if taken.get(g, 0) >= per_group:
                    continue
                taken[g] = taken.get(g, 0) + 1
            m.shared_words = self.shared_words(qi, m.index)
            out.append(m)
        return out


def _grow(gram: str, a: str, b: str, longest: int = 16) -> str:
    """The longest substring of `a` around an occurrence of `gram` that `b` contains too,
    within one run of words (no spaces: prepare() made punctuation spaces)."""
    best = gram
    start = a.find(gram)
    while start != -1:
        s, e = start, start + len(gram)
        while e < len(a) and e - s < longest and a[e] != " " and a[s:e + 1] in b:
            e += 1
        while s > 0 and e - s < longest and a[s - 1] != " " and a[s - 1:e] in b:
            s -= 1
        if e - s > len(best):
            best = a[s:e]
        start = a.find(gram, start + 1)
    return best
