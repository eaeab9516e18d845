"""Property and fuzz tests (hypothesis): the amount parser on generated wordings read through
ingest, ingest on arbitrary bytes, and the segmenter's spans on random mixtures of corpus
paragraphs."""
from __future__ import annotations

import math
import re
import uuid
from decimal import Decimal

import opencc
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import corpus_files
from kg.errors import PolicyKGError
from kg.extract.amounts import find_amounts
from kg.ingest import document_from_text, load_document
from kg.ingest.normalize import normalize
from kg.model import Document
from kg.segment import segment

FUZZ = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz")


# --- the amount parser, on wordings as they arrive (full-width, Traditional) ------------------

FACTORS = {"元": 1, "万元": 10**4, "亿元": 10**8}
# How policies state a maximum sum; each must read as a cap of the stated value.
CAP_WORDINGS = ["最高{x}{u}", "最高补助{x}{u}", "最高可获{x}{u}", "给予最高{x}{u}资助",
                "单个项目最高支持{x}{u}", "每年最高奖励{x}{u}", "补助金额不超过{x}{u}"]
_S2T = opencc.OpenCC("s2t")

values = st.builds(lambda n, places: Decimal(n).scaleb(-places),
                   st.integers(min_value=1, max_value=10**6), st.sampled_from([0, 0, 1, 2]))


def written(x: Decimal, style: str) -> str:
    """A number as an author types it: plain, with thousands separators, or full-width."""
    plain = f"{x:f}"
    if style == "grouped" and x == x.to_integral_value() and x >= 1000:
        return f"{int(x):,}"
    if style == "full-width":
        return plain.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789.,"})
    return plain


@FUZZ
@given(x=values, unit=st.sampled_from(sorted(FACTORS)), wording=st.sampled_from(CAP_WORDINGS),
       style=st.sampled_from(["plain", "grouped", "full-width"]), traditional=st.booleans(),
       lead=st.sampled_from(["", "对符合条件的企业，", "鼓励高校院所开展成果转化；"]))
def test_generated_cap_wording_parses_back_to_its_value(scratch, x, unit, wording, style,
                                                        traditional, lead):
    """"最高X万元" and its variants, through ingest, parse back to X × 10⁴ (元, 亿元 alike), and
    the amount quotes the characters the author wrote."""
    phrase = wording.format(x=written(x, style), u=unit)
    original = lead + phrase + "。\n"
    if traditional:
        original = _S2T.convert(original)
    doc = document_from_text(original, "generated.txt", "generated")
    caps = [a for a in find_amounts(doc.normalized) if a.kind == "cap"]
    assert len(caps) == 1, (original, caps)
    [a] = caps
    assert a.unit == "CNY"
    assert math.isclose(a.value, float(x * FACTORS[unit]), rel_tol=1e-12), (original, a)
    number = written(x, style)
    assert number in doc.quote(a.start, a.end)


@FUZZ
@given(p=st.builds(lambda n, places: Decimal(n).scaleb(-places),
                   st.integers(min_value=1, max_value=1000), st.sampled_from([0, 1])),
       template=st.sampled_from(["按{p}%给予补助", "按不超过实际支付金额的{p}%给予补助",
                                 "按技术合同成交额的{p}%给予奖励"]))
def test_generated_rate_wording_parses_back_to_its_fraction(p, template):
    text = template.format(p=f"{p:f}")
    rates = [a for a in find_amounts(text) if a.unit == "ratio"]
    assert [a.kind for a in rates] == ["rate"], (text, rates)
    assert math.isclose(rates[0].value, float(p / 100), rel_tol=1e-12)


# --- ingest on arbitrary bytes ----------------------------------------------------------------

def _load(scratch, data: bytes, suffix: str) -> None:
    path = scratch / f"{uuid.uuid4().hex}{suffix}"
    path.write_bytes(data)
    try:
        doc = load_document(path)
    except PolicyKGError as err:
        message = str(err)
        assert str(path) in message and "\n" not in message and err.reason, message
        return
    finally:
        path.unlink()
    # What was read is consistent: the map points into the original, in order.
    assert len(doc.offset_map) == len(doc.normalized) + 1
    assert all(a < b for a, b in zip(doc.offset_map, doc.offset_map[1:]))
    assert doc.offset_map[-1] <= len(doc.original)


# Magic numbers that steer format detection to each reader, plus text-like noise.
PREFIXES = [b"", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\xff\xfe\x00\x00", b"<html>",
            b"<!DOCTYPE html><meta charset=gb2312>", b"%PDF-1.4\n", b"PK\x03\x04", b"\r\n\r"]
CHINESE = "关于促进科技成果转化的若干措施最高补助万元。,\n\r\t　（）"
noise = st.one_of(
    st.binary(max_size=3000),
    st.text(alphabet=CHINESE, max_size=300).map(lambda t: t.encode("utf-8")),
    st.tuples(st.text(alphabet=CHINESE, max_size=300), st.sampled_from(["gb18030", "big5", "utf-16"]))
      .map(lambda p: p[0].encode(p[1], "replace")),
    st.binary(max_size=300).map(lambda b: "科技成果转化".encode() + b),   # a text cut or corrupted
)


@settings(FUZZ, max_examples=300)
@given(prefix=st.sampled_from(PREFIXES), body=noise,
       suffix=st.sampled_from([".txt", ".md", ".html", ".htm", ""]))
def test_ingest_of_arbitrary_bytes_raises_only_the_projects_error(scratch, prefix, body, suffix):
    _load(scratch, prefix + body, suffix)


@settings(FUZZ, max_examples=60)
@given(prefix=st.sampled_from([b"%PDF-1.4\n", b"PK\x03\x04", b"PK\x03\x04\x14\x00\x06\x00"]),
       body=st.binary(max_size=2000), suffix=st.sampled_from([".pdf", ".docx", ".txt"]))
def test_damaged_pdf_and_docx_raise_only_the_projects_error(scratch, prefix, body, suffix):
    """(.doc goes through an external converter, one process per file: tested in test_formats.)"""
    _load(scratch, prefix + body, suffix)


def test_damaged_docx_zip_with_a_document_part(scratch):
    """A zip that names word/document.xml but holds garbage: a one-line error, not a traceback."""
    import io
    import zipfile
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("word/document.xml", b"\x00\x01 not xml <w:body")
        z.writestr("[Content_Types].xml", b"<Types/>")
    _load(scratch, buf.getvalue(), ".docx")


# --- the pipeline on arbitrary text -----------------------------------------------------------

@settings(FUZZ, max_examples=40)
@given(st.text(alphabet=st.sampled_from(list(CHINESE + "1.2.3.一、二、(一)第一条天津:云南省:最高50万元\n")),
               max_size=400))
def test_pipeline_on_arbitrary_text_raises_only_the_projects_error(text):
    from kg.extract import extract
    try:
        doc = document_from_text(text, "arbitrary.txt", "arbitrary")
    except PolicyKGError:
        return
    extract([segment(doc)])
    for source in doc.sources:
        for m in source.measures:
            for a in m.amounts:
                assert m.start <= a.start < a.end <= m.end
                assert doc.normalized[a.start:a.end] == a.text


# --- the segmenter: sources partition the text; measures nest in them --------------------------

def _paragraphs() -> list[str]:
    paragraphs = []
    for path in corpus_files():
        text, _ = normalize(path.read_text(encoding="utf-8"))
        paragraphs += [p for p in re.split(r"\n\s*\n|\n", text) if p.strip()]
    return paragraphs


PARAGRAPHS = _paragraphs()


def assert_spans_partition(doc: Document) -> None:
    """Every character of the text in exactly one source, in order; within a source the
    measures are in order, do not overlap and lie inside it."""
    n = len(doc.normalized)
    assert doc.sources, "no source"
    assert doc.sources[0].start == 0 and doc.sources[-1].end == n
    for a, b in zip(doc.sources, doc.sources[1:]):
        assert a.end == b.start, (a.region, a.end, b.region, b.start)
    for s in doc.sources:
        assert s.start < s.end or n == 0
        edge = s.start
        for m in s.measures:
            assert edge <= m.start < m.end <= s.end, (s.region, s.start, s.end, m.n, m.start, m.end)
            edge = m.end


@settings(FUZZ, max_examples=150)
@given(st.lists(st.sampled_from(PARAGRAPHS), min_size=1, max_size=60),
       st.sampled_from(["\n", "\n\n", "\r\n"]))
def test_segmenter_spans_partition_random_mixtures_of_corpus_paragraphs(paragraphs, sep):
    original = sep.join(paragraphs) + sep
    normalized, offsets = normalize(original)
    doc = segment(Document(path="mix.txt", doc="mix", original=original, normalized=normalized,
                           offset_map=offsets))
    assert_spans_partition(doc)


@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.stem)
def test_segmenter_spans_partition_each_corpus_text(processed, path):
    assert_spans_partition(processed[path.stem])


def test_feature_article_lead_belongs_to_the_first_source(processed):
    """A feature article (several region headings) opens with its own title: that lead is in
    the first source's span, but is not taken as the first region's policy title."""
    multi = [d for d in processed.values() if len(d.sources) >= 2]
    assert multi, "the corpus holds a feature article over several regions"
    for doc in multi:
        lead = doc.normalized.strip().splitlines()[0].strip()
        assert doc.sources[0].start == 0
        assert doc.sources[0].policy_title != lead
