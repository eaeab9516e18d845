"""The extraction pipeline: each registered spaCy component alone, and the whole pipeline on
invented measures in the style of the corpus (Simplified and Traditional, full- and half-width)
whose expected facts were written by hand here."""
from __future__ import annotations

from pathlib import Path

import pytest
import spacy

from kg.build import process_file
from kg.extract.pipeline import build_nlp

TEXTS = Path(__file__).parent / "texts"


def run_component(name: str, text: str, title: str = ""):
    """One component in an otherwise empty Chinese pipeline."""
    nlp = spacy.blank("zh")
    if name == "policy_concepts_themes":
        nlp.add_pipe("policy_concepts", config={"vocabulary": "themes"})
    elif name == "policy_concepts_beneficiaries":
        nlp.add_pipe("policy_concepts", config={"vocabulary": "beneficiaries"})
    else:
        nlp.add_pipe(name)
    doc = nlp.make_doc(text)
    doc.user_data["title_end"] = len(title)
    return nlp(doc)


def theme_ids(text: str, title: str = "") -> set[str]:
    return {m.id for m in run_component("policy_concepts_themes", title + text, title)._.themes}


def test_pipeline_has_registered_components():
    nlp = build_nlp()
    assert nlp.pipe_names == ["policy_amounts", "policy_themes", "policy_beneficiaries", "policy_units"]
    assert nlp.lang == "zh"
    tokens = [t.text for t in nlp.make_doc("支持高校院所开展科技成果转化")]
    assert "科技成果" in tokens or "转化" in tokens   # jieba words, not single characters


@pytest.mark.parametrize("text", [
    "探索存量专利成果“先免费使用、后付费转化”模式。",
    "构建“先用后转”成果转化机制,降低企业技术获取门槛。",
    "支持高校、科研院所采用“先使用后付费”等模式转化科技成果。",
])
def test_pay_after_use_paraphrases(text):
    assert "pay-after-use" in theme_ids(text)


@pytest.mark.parametrize("text", [
    "推动在珠高校院所等单位对职务科技成果单列台账管理。",
    "制定出台职务科技成果单列管理工作指引。",
])
def test_separate_management_paraphrases(text):
    assert "separate-management" in theme_ids(text)


def test_evidence_span_is_the_matching_words():
    doc = run_component("policy_concepts_themes", "鼓励高校探索职务科技成果单列管理。")
    (m,) = [m for m in doc._.themes if m.id == "separate-management"]
    assert doc.text[m.start:m.end] == m.text and "单列" in m.text


def test_beneficiaries_longest_match_first():
    doc = run_component("policy_concepts_beneficiaries", "对科技型中小企业给予补助。")
    assert [m.id for m in doc._.beneficiaries] == ["tech-sme"]


def test_units_component_reads_responsibility_lists():
    doc = run_component("policy_units", "加强培训。〔责任单位:市科技创新局、市委办公室(金融),各区政府(管委会)〕")
    assert [u for u, _, _ in doc._.units] == ["市科技创新局", "市委办公室(金融)", "各区政府(管委会)"]


def test_units_are_normalised_to_the_region(processed):
    zhuhai = processed["004_46d0cb6fe9d9ebe8"].sources[0]
    units = {u for m in zhuhai.measures for u in m.units}
    assert "珠海市科技创新局" in units and "珠海市发展改革局" in units
    assert not any(u.startswith("市") for u in units)


def _measures(name: str):
    doc = process_file(TEXTS / name)
    (source,) = doc.sources
    return doc, source


def test_invented_city_text_simplified_full_width():
    doc, source = _measures("invented_city_measures.txt")
    themes = {m.n: {t.id for t in m.themes} for m in source.measures}
    assert len(source.measures) == 5 and source.status == "in-force"
    assert "pay-after-use" in themes["1"]
    assert "separate-management" in themes["2"]
    assert "liability-exemption" in themes["3"]
    assert "proof-of-concept" in themes["4"]
    assert "tech-manager" in themes["5"]
    amounts = {m.n: {(a.kind, a.value, a.unit) for a in m.amounts} for m in source.measures}
    assert ("cap", 50000, "CNY") in amounts["1"]
    assert {("rate", 0.3, "ratio"), ("cap", 2000000, "CNY"), ("duration", 3, "year")} <= amounts["4"]
    assert {("rate", 0.01, "ratio"), ("cap", 200000, "CNY")} <= amounts["5"]
    for m in source.measures:   # provenance quotes the full-width original
        for a in m.amounts:
            assert doc.quote(a.start, a.end) == doc.original[doc.original_span(a.start, a.end)[0]:
                                                             doc.original_span(a.start, a.end)[1]]
    a = source.measures[3].amounts[0]
    assert "３０％" in doc.quote(a.start, a.end)


def test_invented_traditional_text():
    doc, source = _measures("invented_province_measures_trad.txt")
    themes = {m.n: {t.id for t in m.themes} for m in source.measures}
    assert len(source.measures) == 4
    assert "income-distribution" in themes["1"]
    assert "venture-fund" in themes["2"]
    assert "sci-tech-credit" in themes["4"]
    bens = {m.n: {b.id for b in m.beneficiaries} for m in source.measures}
    assert "tech-sme" in bens["3"] and "financial-institution" in bens["4"]
    amounts = {m.n: {(a.kind, a.value, a.unit) for a in m.amounts} for m in source.measures}
    assert {("floor", 0.7, "ratio"), ("floor", 0.1, "ratio")} <= amounts["1"]
    assert ("total", 500000000, "CNY") in amounts["2"]
    assert {("rate", 0.1, "ratio"), ("cap", 500000, "CNY")} <= amounts["3"]
    assert ("cap", 1000000, "CNY") in amounts["4"]
    assert "獎勵" in doc.quote(source.measures[0].start, source.measures[0].end)
