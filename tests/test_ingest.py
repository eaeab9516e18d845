"""Ingest: encodings, page chrome, Traditional -> Simplified, and the offset map."""
from __future__ import annotations

import codecs

import pytest

from conftest import CORPUS, corpus_files
from kg.errors import PolicyKGError
from kg.ingest import load_document

SAMPLE = "關于促進科技成果轉化的若干措施(試行)\n1.完善技術需求與科技成果對接平臺。擇優給予最高10萬元后補助支持。\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "big5", "utf-16"])
def test_encodings_are_detected_and_text_is_simplified(tmp_path, encoding):
    path = tmp_path / f"政策 {encoding}.txt"
    path.write_bytes(SAMPLE.encode(encoding))
    doc = load_document(path)
    assert doc.original.lstrip("\ufeff") == SAMPLE
    assert "关于促进科技成果转化的若干措施" in doc.normalized
    assert "最高10万元" in doc.normalized


def test_full_width_becomes_half_width_with_same_offsets(tmp_path):
    path = tmp_path / "w.txt"
    path.write_text("补助不超过２０％（含），最高５０万元。\r\n", encoding="utf-8")
    doc = load_document(path)
    assert "不超过20%(含),最高50万元" in doc.normalized
    i = doc.normalized.index("50万元")
    assert doc.quote(i, i + 4) == "５０万元"
    assert "\r" not in doc.normalized


def test_page_chrome_is_stripped_but_body_kept():
    doc = load_document(CORPUS / "000_036a2871f1bebc09.txt")
    for chrome in ("会员登录", "扫描二维码", "版权所有", "010-68703033", "ICP", "微信公众号", "当前位置"):
        assert chrome not in doc.normalized, chrome
    assert "厦门:六个维度构建科技成果转化" in doc.normalized
    assert "技术合同认定登记机构最高可获250万元奖励" in doc.normalized


@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.stem)
def test_offset_map_quotes_original_characters(path):
    """Every normalized character maps back to the original character it came from."""
    doc = load_document(path)
    original = path.read_text(encoding="utf-8")
    assert doc.original == original
    assert len(doc.offset_map) == len(doc.normalized) + 1
    for i, ch in enumerate(doc.normalized):
        o = original[doc.offset_map[i]]
        if ch == "\n" or o.isascii():
            assert o == ch or (ch == "\n" and o == "\r"), (i, ch, o)
    # the mapping is increasing, so spans quote contiguous original text
    assert all(a < b for a, b in zip(doc.offset_map, doc.offset_map[1:]))


@pytest.mark.parametrize("content, message", [
    (b"", "empty file"),
    (b"   \n\n", "empty file"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4, "binary"),
])
def test_bad_files_raise_one_line_errors(tmp_path, content, message):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(PolicyKGError) as err:
        load_document(path)
    assert message in str(err.value) and str(path) in str(err.value)
    assert "\n" not in str(err.value)


def test_truncated_utf8_keeps_what_is_readable(tmp_path):
    data = SAMPLE.encode("utf-8")
    path = tmp_path / "cut.txt"
    path.write_bytes(data[:-2] if data[-1:] == b"\n" else data[:-1])
    doc = load_document(path)
    assert "关于促进科技成果转化" in doc.normalized


def test_bom_is_not_part_of_the_text(tmp_path):
    path = tmp_path / "bom.txt"
    path.write_bytes(codecs.BOM_UTF8 + SAMPLE.encode("utf-8"))
    assert not load_document(path).normalized.startswith("\ufeff")
