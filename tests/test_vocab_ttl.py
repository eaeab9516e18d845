"""The SKOS vocabularies ontology/themes.ttl and ontology/beneficiaries.ttl against tests/gold/GUIDE.md.

The extractor builds its phrase matchers only from these files: prefLabel/altLabel @zh are strong cues,
hiddenLabel @zh weak ones, all matched as plain substrings of Simplified, half-width text.
"""
from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS

ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY = ROOT / "ontology"
GUIDE = ROOT / "tests" / "gold" / "GUIDE.md"

PKG = Namespace("https://w3id.org/policykg/ontology#")
THEME = Namespace("https://w3id.org/policykg/theme/")
BEN = Namespace("https://w3id.org/policykg/beneficiary/")
CLASSES = ("supply-side", "environment-side", "demand-side")


def _half_width(text: str) -> str:
    return "".join(chr(ord(c) - 0xFEE0) if 0xFF01 <= ord(c) <= 0xFF5E else c for c in text)


def _guide_themes() -> dict[str, tuple[str, list[str]]]:
    """id -> (Chinese preferred label, other wordings) from the GUIDE's theme table."""
    rows: dict[str, tuple[str, list[str]]] = {}
    for line in GUIDE.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and re.fullmatch(r"[a-z]+(?:-[a-z]+)*", cells[0]) and cells[0] != "id":
            rows[cells[0]] = (cells[1], [w.strip() for w in cells[2].split(", ") if w.strip()])
    return rows


def _guide_beneficiaries() -> list[str]:
    text = GUIDE.read_text(encoding="utf-8")
    section = text.split("## Beneficiaries", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"`([a-z]+(?:-[a-z]+)*)`", section)


@pytest.fixture(scope="module")
def themes() -> Graph:
    g = Graph()
    g.parse(ONTOLOGY / "themes.ttl", format="turtle")
    return g


@pytest.fixture(scope="module")
def bens() -> Graph:
    g = Graph()
    g.parse(ONTOLOGY / "beneficiaries.ttl", format="turtle")
    return g


def _labels(g: Graph, s: URIRef, *props, lang: str = "zh") -> list[str]:
    return [str(o) for p in props for o in g.objects(s, p)
            if isinstance(o, Literal) and (o.language or "").lower().startswith(lang)]


def _pref(g: Graph, s: URIRef, lang: str) -> list[str]:
    return _labels(g, s, SKOS.prefLabel, lang=lang)


# ------------------------------------------------------------------ the GUIDE itself


def test_guide_tables_are_read():
    assert len(_guide_themes()) == 33
    assert len(_guide_beneficiaries()) == 20


# ------------------------------------------------------------------ themes


def test_files_parse(themes, bens):
    assert len(themes) > 0 and len(bens) > 0
    assert (THEME.scheme, RDF.type, SKOS.ConceptScheme) in themes
    assert (BEN.scheme, RDF.type, SKOS.ConceptScheme) in bens


@pytest.mark.parametrize("tid", sorted(_guide_themes()))
def test_guide_theme_exists_with_labels(themes, tid):
    s = THEME[tid]
    zh_pref, _ = _guide_themes()[tid]
    assert (s, RDF.type, PKG.Theme) in themes and (s, RDF.type, SKOS.Concept) in themes
    assert (s, SKOS.inScheme, THEME.scheme) in themes
    assert str(themes.value(s, DCTERMS.identifier)) == tid
    assert _pref(themes, s, "zh") == [zh_pref]
    assert len(_pref(themes, s, "en")) == 1
    assert _labels(themes, s, SKOS.altLabel, lang="en"), "an English altLabel for English users"
    assert _labels(themes, s, SKOS.definition, lang="en")


@pytest.mark.parametrize("tid", sorted(_guide_themes()))
def test_guide_wordings_are_labels_of_their_theme(themes, tid):
    s = THEME[tid]
    labels = {_half_width(x) for x in _labels(themes, s, SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel)}
    _, wordings = _guide_themes()[tid]
    missing = [w for w in wordings if _half_width(w) not in labels]
    assert not missing, f"{tid}: GUIDE wordings without a label: {missing}"


def test_no_themes_beyond_the_guide(themes):
    ids = {str(s)[len(str(THEME)):] for s in themes.subjects(RDF.type, PKG.Theme)}
    assert ids == set(_guide_themes())


def test_instrument_classes(themes):
    classes = set(themes.subjects(RDF.type, PKG.InstrumentClass))
    assert classes == {THEME[c] for c in CLASSES}
    for c in classes:
        assert (c, RDF.type, SKOS.Concept) in themes
        assert (c, RDF.type, PKG.Theme) not in themes
        assert (c, SKOS.topConceptOf, THEME.scheme) in themes
        assert themes.value(c, PKG.instrumentClass).toPython() is True
        assert _pref(themes, c, "zh") and _pref(themes, c, "en")
    for s in themes.subjects(RDF.type, PKG.Theme):
        assert themes.value(s, PKG.instrumentClass) is None


@pytest.mark.parametrize("tid", sorted(_guide_themes()))
def test_each_theme_has_one_instrument_class(themes, tid):
    broader = list(themes.objects(THEME[tid], SKOS.broader))
    assert len(broader) == 1, f"{tid}: {broader}"
    assert (broader[0], RDF.type, PKG.InstrumentClass) in themes


def test_every_instrument_class_is_used(themes):
    used = {b for s in themes.subjects(RDF.type, PKG.Theme) for b in themes.objects(s, SKOS.broader)}
    assert used == {THEME[c] for c in CLASSES}


def test_no_strong_label_shared_by_two_themes(themes):
    owners: dict[str, set[str]] = defaultdict(set)
    for s in themes.subjects(RDF.type, PKG.Theme):
        for label in _labels(themes, s, SKOS.prefLabel, SKOS.altLabel):
            owners[_half_width(label)].add(str(s))
    shared = {label: sorted(o) for label, o in owners.items() if len(o) > 1}
    assert not shared


def test_no_label_is_both_strong_and_weak_for_different_themes(themes):
    strong = {_half_width(x): s for s in themes.subjects(RDF.type, PKG.Theme)
              for x in _labels(themes, s, SKOS.prefLabel, SKOS.altLabel)}
    for s in themes.subjects(RDF.type, PKG.Theme):
        for x in _labels(themes, s, SKOS.hiddenLabel):
            assert strong.get(_half_width(x), s) == s, f"{x} is weak for {s} but strong for {strong[x]}"


def _all_zh_labels(g: Graph, cls: URIRef):
    for s in g.subjects(RDF.type, cls):
        for x in _labels(g, s, SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel):
            yield s, x


@pytest.mark.parametrize("which", ["themes", "bens"])
def test_labels_are_matchable(request, which):
    """Labels are matched as substrings of Simplified, half-width text: no 1-character labels,
    no full-width ASCII, no surrounding blanks."""
    g = request.getfixturevalue(which)
    cls = PKG.Theme if which == "themes" else PKG.BeneficiaryGroup
    bad = [(str(s), x) for s, x in _all_zh_labels(g, cls)
           if len(x) < 2 or x != x.strip() or x != _half_width(x)]
    assert not bad


# ------------------------------------------------------------------ beneficiaries


@pytest.mark.parametrize("bid", _guide_beneficiaries())
def test_guide_beneficiary_exists(bens, bid):
    s = BEN[bid]
    assert (s, RDF.type, PKG.BeneficiaryGroup) in bens and (s, RDF.type, SKOS.Concept) in bens
    assert (s, SKOS.inScheme, BEN.scheme) in bens
    assert str(bens.value(s, DCTERMS.identifier)) == bid
    assert len(_pref(bens, s, "zh")) == 1 and len(_pref(bens, s, "en")) == 1


def test_no_beneficiaries_beyond_the_guide(bens):
    ids = {str(s)[len(str(BEN)):] for s in bens.subjects(RDF.type, PKG.BeneficiaryGroup)}
    assert ids == set(_guide_beneficiaries())


def test_beneficiary_hierarchy(bens):
    expected = {"tech-sme": "enterprise", "high-tech-enterprise": "enterprise",
                "leading-enterprise": "enterprise", "soe": "enterprise",
                "new-rd-institution": "research-institute"}
    for child, parent in expected.items():
        assert list(bens.objects(BEN[child], SKOS.broader)) == [BEN[parent]]


def test_gaoxiao_yuansuo_names_both(bens):
    for bid in ("university", "research-institute"):
        assert "高校院所" in _labels(bens, BEN[bid], SKOS.prefLabel, SKOS.altLabel)


@pytest.mark.parametrize("bid,label", [
    ("enterprise", "中小微企业"), ("university", "高等院校"), ("research-institute", "研究开发机构"),
    ("researcher", "成果完成人"), ("tech-manager", "技术经纪(理)人"), ("platform", "概念验证中心"),
    ("financial-institution", "银行"), ("investment-fund", "创投机构"), ("team", "团队"),
    ("public-institution", "科研事业单位"), ("soe", "国企"),
])
def test_beneficiary_names(bens, bid, label):
    assert label in _labels(bens, BEN[bid], SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel)
