"""The extraction pipeline: a spaCy Chinese pipeline (jieba segmenter) with registered custom
components, one per thing analysts compare. Each component reads the measure text and writes
its findings on the Doc, so each can be tested alone:

    doc._.amounts        list[Amount]     policy_amounts
    doc._.themes         list[Mention]    policy_themes        (ontology/themes.ttl)
    doc._.beneficiaries  list[Mention]    policy_beneficiaries (ontology/beneficiaries.ttl)
    doc._.units          list[(name, start, end)]   policy_units
The title length of a measure is passed in `doc.user_data["title_end"]`.
"""
from __future__ import annotations

import logging
from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from kg import vocab
from kg.extract.amounts import find_amounts
from kg.extract.concepts import ConceptMatcher
from kg.extract.units import find_units

for _name in ("amounts", "themes", "beneficiaries", "units"):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)


def measure_text(doc: Doc) -> str:
    """Doc.text rebuilds the string from tokens on every call: compute it once per Doc."""
    if "text" not in doc.user_data:
        doc.user_data["text"] = doc.text
    return doc.user_data["text"]


@Language.component("policy_amounts")
def amounts_component(doc: Doc) -> Doc:
    doc._.amounts = find_amounts(measure_text(doc))
    return doc


@Language.factory("policy_concepts", default_config={"vocabulary": "themes"})
def concepts_factory(nlp: Language, name: str, vocabulary: str):
    concepts = vocab.themes() if vocabulary == "themes" else vocab.beneficiaries()
    matcher = ConceptMatcher(concepts, weaken_relied_on=vocabulary == "themes")

    def component(doc: Doc) -> Doc:
        setattr(doc._, vocabulary, matcher(measure_text(doc), doc.user_data.get("title_end", 0)))
        return doc
    return component


@Language.component("policy_units")
def units_component(doc: Doc) -> Doc:
    doc._.units = find_units(measure_text(doc))
    return doc


@lru_cache(maxsize=1)
def build_nlp() -> Language:
    """spacy.blank('zh') with jieba words; our components after the tokenizer."""
    logging.getLogger("jieba").setLevel(logging.WARNING)
    import jieba
    jieba.setLogLevel(logging.WARNING)
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    nlp.max_length = 10**9   # the 10^6 limit protects parser/NER memory; this pipeline has neither
    nlp.add_pipe("policy_amounts")
    nlp.add_pipe("policy_concepts", name="policy_themes", config={"vocabulary": "themes"})
    nlp.add_pipe("policy_concepts", name="policy_beneficiaries", config={"vocabulary": "beneficiaries"})
    nlp.add_pipe("policy_units")
    return nlp
