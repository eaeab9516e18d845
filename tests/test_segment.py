"""Segmentation and metadata, measured against the gold with the project's scorer."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import CORPUS, EXTRA_CORPUS, EXTRA_GOLD, GOLD, gold_files
from kg.goldjson import to_gold, write_gold
from kg.ingest.normalize import normalize
from kg.scoring import score


@pytest.fixture(scope="module")
def scored(processed, tmp_path_factory):
    out = tmp_path_factory.mktemp("pred")
    for doc in processed.values():
        write_gold(doc, out)
    return score(GOLD, out)


def test_every_gold_source_found(scored):
    assert scored["sources"].prf()[2] == 1.0


def test_measures_f1_at_least_095(scored):
    assert scored["measures"].prf()[2] >= 0.95


def test_metadata_accuracy_at_least_09(scored):
    assert scored["metadata"].prf()[2] >= 0.9


def test_regulations_articles_are_measures(tmp_path):
    """Another genre: 第X条 articles with Chinese numerals, chapters as parts."""
    from kg.build import process
    docs, _ = process(sorted(EXTRA_CORPUS.glob("*.txt")))
    for doc in docs:
        write_gold(doc, tmp_path)
    tallies = score(EXTRA_GOLD, tmp_path)
    assert tallies["sources"].prf()[2] == 1.0
    assert tallies["measures"].prf()[2] >= 0.95
    assert tallies["metadata"].prf()[2] >= 0.85


def test_drafting_note_repeats_no_measure(processed):
    """The Weihai draft ends with a 起草说明 whose numbered list (相关依据 1. 2. 3.) and
    summary of the measures must not become measures."""
    doc = processed["002_a2c5bfed3da1a70b"]
    note = doc.normalized.index("起草说明")
    (source,) = doc.sources
    numbers = [m.n for m in source.measures]
    assert numbers == [str(i) for i in range(1, len(numbers) + 1)]
    assert all(m.start < note for m in source.measures)


def test_news_summary_box_repeats_no_measure(processed):
    """A news page that repeats its measures in a closing box yields each measure once."""
    doc = processed["000_036a2871f1bebc09"]
    (source,) = doc.sources
    bodies = [doc.normalized[m.start:m.end] for m in source.measures]
    for phrase in ("最高可获得1000万元信用贷款", "运营合作机构每年可获最高500万元资助"):
        assert phrase in doc.normalized
        assert sum(phrase in b for b in bodies) == 1


@pytest.mark.parametrize("gold_path", gold_files(), ids=lambda p: p.stem)
def test_measure_titles_match_gold(processed, gold_path):
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    pred = to_gold(processed[gold_path.stem])
    norm = lambda t: re.sub(r"[\s,，“”\"]", "", t or "")
    for gs, ps in zip(gold["sources"], pred["sources"]):
        assert gs["region"] == ps["region"]
        assert [norm(m["title"]) for m in gs["measures"]] == [norm(m["title"]) for m in ps["measures"]]


def test_every_measure_quote_is_the_original_text(processed):
    """Provenance: the recorded offsets cut the quoted characters out of the original file,
    the Traditional-character file included."""
    for doc in processed.values():
        original = (CORPUS / f"{doc.doc}.txt").read_text(encoding="utf-8")
        data = to_gold(doc)
        for source, ds in zip(data["sources"], doc.sources):
            for m, dm in zip(source["measures"], ds.measures):
                quote = original[m["start"]:m["end"]]
                assert normalize(quote)[0] == doc.normalized[dm.start:dm.end]
                for a in m["amounts"]:
                    assert original[a["start"]:a["end"]] == a["quote"]
                    assert normalize(a["quote"])[0] == a["text"]
    trad = processed["002_a2c5bfed3da1a70b"]
    m = trad.sources[0].measures[3]
    assert trad.quote(m.start, m.end).startswith("4.加大產學研合作項目支持力度")


def test_measures_numbered_in_chinese_under_parts():
    """(一)(二) measures under 一、二、 parts, numbering restarting per part; a closing 附则."""
    from kg.build import process_file
    doc = process_file(Path(__file__).parent / "texts" / "invented_cn_numbered_parts.txt")
    (source,) = doc.sources
    assert source.region == "珠海市" and source.validity_years == 3
    assert [(m.n, m.title, m.part) for m in source.measures] == [
        ("1.1", "支持企业承接科技成果", "强化企业创新主体地位"),
        ("1.2", "推行先使用后付费", "强化企业创新主体地位"),
        ("2.1", "建设概念验证中心", "完善转化服务体系"),
        ("2.2", "培育技术经理人", "完善转化服务体系")]
    assert "附则" not in doc.normalized[source.measures[-1].start:source.measures[-1].end]


def test_measures_numbered_in_chinese_alone():
    from kg.build import process_file
    doc = process_file(Path(__file__).parent / "texts" / "invented_cn_numbered_flat.txt")
    (source,) = doc.sources
    assert source.region == "云南省"
    assert [m.n for m in source.measures] == ["1", "2", "3"]
    last = source.measures[-1]
    assert not doc.normalized[last.start:last.end].rstrip().endswith("施行。")
