"""Whatever arrives is built or refused in one line (issue 7, part 1).

One folder holds every kind of input that comes from the web, from Word and from USB sticks,
beside good files; `policykg build` runs on it once, as a user runs it (a subprocess), and each
test checks one input: text is read right (its extraction equals the same text in plain UTF-8),
the rest is named on one line with the reason, and the good files beside are batch.
"""
from __future__ import annotations

import codecs
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import CORPUS, ROOT

REF = "001_8ffd0d0a52d4a783"       # Simplified, 12 measures in four parts
TRAD = "002_a2c5bfed3da1a70b"      # Traditional characters, all of them in Big5
SPACED_NAME = "厦门 科技 政策 (2025).txt"


def cli(*args, privileged: bool = True, timeout: int = 600) -> subprocess.CompletedProcess:
    """`policykg ARGS` in a subprocess. Unprivileged: without the root's power to read what
    permissions forbid (CI runs as root, where chmod 000 blocks nothing)."""
    cmd = [sys.executable, "-m", "kg", *map(str, args)]
    if not privileged and os.geteuid() == 0:
        cmd = ["setpriv", "--inh-caps=-dac_override,-dac_read_search",
               "--bounding-set=-dac_override,-dac_read_search", "--", *cmd]
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout)


def can_drop_privileges() -> bool:
    return os.geteuid() != 0 or shutil.which("setpriv") is not None


def png_bytes() -> bytes:
    """A real 1x1 PNG image."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


def browser_saved_page(text: str) -> bytes:
    """A government page as a browser saves it: the mark of the web, a gb2312 declaration
    (written in GB18030), scripts, styles, navigation, share widgets and a footer."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    title, body = lines[0], lines[1:]
    page = f"""<!-- saved from url=(0049)https://kjj.example.gov.cn/zcfg/art/2025/0301.html -->
<!DOCTYPE html>
<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>{title}_政策文件_科学技术局</title>
<style>body {{ font: 14px 宋体; }} .nav li {{ float: left; }}</style>
<script>var _hmt = _hmt || []; function share() {{ return "分享到微信"; }}</script>
</head><body>
<div class="top">您好，欢迎访问！ <a href="#">登录</a> | <a href="#">注册</a></div>
<ul class="nav"><li>首页</li><li>政务公开</li><li>政策文件</li><li>互动交流</li></ul>
<div class="crumb">当前位置：首页 &gt; 政策文件 &gt; 政策解读</div>
<div class="article"><h1>{title}</h1>
<div class="info">发布时间：2025-03-01 来源：科学技术局 字号：[大 中 小]</div>
{"".join(f"<p>{ln}</p>" for ln in body)}
</div>
<div class="share">分享到：微信 微博 二维码</div>
<div class="footer"><p>版权所有：科学技术局 ICP备12345678号</p><p>地址：某市某路1号 服务电话：0592-1234567</p></div>
<script>document.write("<img src='https://stat.example.cn/x.gif'>");</script>
</body></html>
"""
    return page.encode("gb18030")


def mixed_line_endings(text: str) -> str:
    ends = ["\r\n", "\n", "\r"]
    return "".join(line + ends[i % 3] for i, line in enumerate(text.splitlines()))


# What each input is, and what must come of it: the reason of the skip, or the reference file
# whose extraction it must equal.
@dataclass
class Case:
    name: str
    data: bytes | None = None      # None: a folder
    skipped: str | None = None     # the reason printed, for what cannot be read
    same_as: str | None = None     # the reference input it must read like


def make_inputs(folder: Path) -> dict[str, Case]:
    ref = (CORPUS / f"{REF}.txt").read_text(encoding="utf-8")
    trad = (CORPUS / f"{TRAD}.txt").read_text(encoding="utf-8")
    ref_bytes = ref.encode("utf-8")
    cut = len(ref_bytes) * 2 // 3
    while ref_bytes[cut] & 0xC0 == 0x80 or ref_bytes[cut] < 0x80:   # inside a multi-byte character
        cut += 1
    damaged = bytearray(ref_bytes)
    middle = len(damaged) // 2
    damaged[middle:middle + 1] = b"\xff"
    notice = ("关于召开2025年科技成果转化工作推进会的通知\n各有关单位：\n"
              "定于2025年3月5日上午9时在市科技局三楼会议室召开工作推进会，请准时参加。\n"
              "市科学技术局\n2025年3月1日\n")
    cases = [
        Case("ref.txt", ref_bytes),
        Case("ref_trad.txt", trad.encode("utf-8")),
        Case("empty.txt", b"", skipped="empty file"),
        Case("blank.txt", "  \r\n\u3000\t\n".encode("utf-8"), skipped="empty file"),
        Case("bom_only.txt", codecs.BOM_UTF8, skipped="empty file"),
        Case("photo.txt", png_bytes(), skipped="binary file, not text"),
        Case("truncated.txt", ref_bytes[:cut + 1]),
        Case("damaged_byte.txt", bytes(damaged)),
        Case("gb18030.txt", ref.encode("gb18030"), same_as="ref.txt"),
        Case("big5.txt", trad.encode("big5"), same_as="ref_trad.txt"),
        Case("bom.txt", codecs.BOM_UTF8 + ref_bytes, same_as="ref.txt"),
        Case("utf16.txt", ref.encode("utf-16"), same_as="ref.txt"),
        Case("mixed_eol.txt", mixed_line_endings(ref).encode("utf-8"), same_as="ref.txt"),
        Case(SPACED_NAME, ref_bytes, same_as="ref.txt"),
        Case("no_measures.txt", notice.encode("utf-8")),
        Case("saved_page.html", browser_saved_page(ref)),
        Case("locked", None, skipped="permission denied"),
        Case("locked_file.txt", ref_bytes, skipped="permission denied"),
    ]
    for case in cases:
        path = folder / case.name
        if case.data is None:
            path.mkdir()
            (path / "inside.txt").write_bytes(ref_bytes)
            path.chmod(0)
        else:
            path.write_bytes(case.data)
            if case.skipped == "permission denied":
                path.chmod(0)
    return {c.name: c for c in cases}


@dataclass
class Built:
    inputs: Path
    out: Path
    cases: dict[str, Case]
    run: subprocess.CompletedProcess
    strict: subprocess.CompletedProcess

    def extraction(self, name: str) -> dict:
        return json.loads((self.out / "extract" / f"{Path(name).stem}.json").read_text(encoding="utf-8"))

    def message_lines(self, name: str) -> list[str]:
        named = f"{self.inputs / name}:"
        return [ln for ln in self.run.stderr.splitlines() if named in ln]


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    if not can_drop_privileges():
        pytest.skip("running as root without setpriv: an unreadable folder cannot be made")
    root = tmp_path_factory.mktemp("reliability")
    inputs, out = root / "inputs", root / "out"
    inputs.mkdir()
    cases = make_inputs(inputs)
    try:
        run = cli("build", inputs, "--out", out, privileged=False)
        strict = cli("build", inputs, "--out", out, "--strict", privileged=False)
    finally:
        (inputs / "locked").chmod(0o755)
        (inputs / "locked_file.txt").chmod(0o644)
    return Built(inputs, out, cases, run, strict)


def facts(extraction: dict) -> list:
    """What a text says, independent of offsets: per source its metadata, per measure its
    number, title, part, amounts, themes and beneficiaries."""
    return [({k: v for k, v in s.items() if k != "measures"},
             [(m["n"], m["title"], m.get("part"), sorted(m["themes"]), sorted(m["beneficiaries"]),
               [(a["kind"], a["value"], a["unit"]) for a in m["amounts"]]) for m in s["measures"]])
            for s in extraction["sources"]]


def assert_good_files_built(batch: Built) -> None:
    """The good files beside the bad ones are in the graph, extracted as from the corpus."""
    from kg.build import process_file
    from kg.goldjson import to_gold
    graph = (batch.out / "graph.nt").read_text(encoding="utf-8")
    for name, stem in (("ref.txt", REF), ("ref_trad.txt", TRAD)):
        if stem not in _REFERENCE:
            _REFERENCE[stem] = facts(to_gold(process_file(CORPUS / f"{stem}.txt")))
        assert facts(batch.extraction(name)) == _REFERENCE[stem], name
        assert f"<https://w3id.org/policykg/id/doc/{Path(name).stem}>" in graph


_REFERENCE: dict[str, list] = {}


def test_build_goes_on_and_exits_zero_unless_strict(batch):
    assert batch.run.returncode == 0, batch.run.stderr
    assert "Traceback" not in batch.run.stderr
    assert batch.strict.returncode == 1, batch.strict.stderr
    skipped_names = {n for n, c in batch.cases.items() if c.skipped}
    for proc in (batch.run, batch.strict):   # the summary lists what was skipped, each time
        for name in skipped_names:
            assert any(f"{batch.inputs / name}:" in ln for ln in proc.stderr.splitlines()), (name, proc.stderr)
    table = re.search(r"│\s*(\d+)\s*│\s*(\d+)\s*│\s*(\d+)\s*│\s*(\d+)\s*│\s*(\d+)\s*│", batch.run.stdout)
    assert table, batch.run.stdout
    documents, skipped = int(table.group(1)), int(table.group(5))
    assert skipped == len(skipped_names)
    assert documents == len(batch.cases) - len(skipped_names)
    assert_good_files_built(batch)


@pytest.mark.parametrize("name", ["empty.txt", "blank.txt", "bom_only.txt", "photo.txt", "locked",
                                  "locked_file.txt"])
def test_unreadable_input_is_named_on_one_line_with_its_reason(batch, name):
    case = batch.cases[name]
    lines = batch.message_lines(name)
    assert len(lines) == 1, f"expected one line naming {name}:\n{batch.run.stderr}"
    assert lines[0] == f"skipped {batch.inputs / name}: {lines[0].split(': ', 1)[1]}"
    assert case.skipped in lines[0]
    assert not (batch.out / "extract" / f"{Path(name).stem}.json").exists()
    assert_good_files_built(batch)


@pytest.mark.parametrize("name", ["gb18030.txt", "big5.txt", "bom.txt", "utf16.txt", "mixed_eol.txt",
                                  SPACED_NAME])
def test_text_in_any_encoding_or_line_ending_reads_like_utf8(batch, name):
    case = batch.cases[name]
    assert not batch.message_lines(name), batch.run.stderr
    assert facts(batch.extraction(name)) == facts(batch.extraction(case.same_as))
    # provenance quotes the file's own characters
    with open(batch.out / "text" / f"{Path(name).stem}.txt", encoding="utf-8", newline="") as fh:
        text = fh.read()
    for s in batch.extraction(name)["sources"]:
        for m in s["measures"]:
            for a in m["amounts"]:
                assert text[a["start"]:a["end"]] == a["quote"]
    assert_good_files_built(batch)


def test_encodings_are_recorded(batch):
    encodings = {name: batch.extraction(name)["encoding"].lower().replace("-", "_")
                 for name in ("gb18030.txt", "big5.txt", "bom.txt", "utf16.txt")}
    assert encodings["gb18030.txt"] == "gb18030"
    assert encodings["big5.txt"].startswith("big5")
    assert encodings["bom.txt"] == "utf_8_sig"
    assert encodings["utf16.txt"].startswith("utf_16")


def test_name_with_spaces_and_chinese_keeps_its_name(batch):
    import pyoxigraph as ox
    graph = (batch.out / "graph.nt").read_bytes()
    triples = list(ox.parse(graph, format=ox.RdfFormat.N_TRIPLES))   # every IRI is well formed
    names = {t.object.value for t in triples if t.predicate.value.endswith("#fileName")}
    assert SPACED_NAME in names
    assert (batch.out / "extract" / f"{Path(SPACED_NAME).stem}.json").exists()


def test_truncated_utf8_keeps_what_was_written(batch):
    """A file cut inside a character: everything before the cut is read, the broken tail is
    dropped; the measures before the cut are those of the whole file."""
    assert not batch.message_lines("truncated.txt")
    whole = (CORPUS / f"{REF}.txt").read_text(encoding="utf-8")
    text = (batch.out / "text" / "truncated.txt").read_text(encoding="utf-8")
    assert whole.startswith(text) and len(whole) * 0.6 < len(text) < len(whole)
    got, ref = facts(batch.extraction("truncated.txt")), facts(batch.extraction("ref.txt"))
    measures = got[0][1]
    assert 3 <= len(measures) < len(ref[0][1])
    assert [m[:2] for m in measures[:-1]] == [m[:2] for m in ref[0][1][:len(measures) - 1]]
    assert_good_files_built(batch)


def test_damaged_byte_in_utf8_is_read_with_a_replacement_character(batch):
    assert not batch.message_lines("damaged_byte.txt")
    text = (batch.out / "text" / "damaged_byte.txt").read_text(encoding="utf-8")
    assert 1 <= text.count("\ufffd") <= 3
    got, ref = facts(batch.extraction("damaged_byte.txt")), facts(batch.extraction("ref.txt"))
    assert len(got[0][1]) == len(ref[0][1])


def test_text_without_measures_is_built_as_a_policy_with_none(batch):
    assert not batch.message_lines("no_measures.txt")
    [source] = batch.extraction("no_measures.txt")["sources"]
    assert source["measures"] == []
    assert "<https://w3id.org/policykg/id/doc/no_measures>" in (batch.out / "graph.nt").read_text(encoding="utf-8")
    assert_good_files_built(batch)


def test_browser_saved_page_reads_like_the_text(batch):
    assert not batch.message_lines("saved_page.html")
    assert facts(batch.extraction("saved_page.html")) == facts(batch.extraction("ref.txt"))
    text = (batch.out / "text" / "saved_page.txt").read_text(encoding="utf-8")
    for chrome in ("登录", "版权所有", "ICP", "_hmt", "分享到", "font:", "政务公开"):
        assert chrome not in text, chrome
    assert_good_files_built(batch)


def test_unreadable_folder_and_missing_file_named_on_the_command_line(tmp_path):
    """`policykg build locked/ nowhere/政策.txt good.txt --strict`: the folder and the missing
    file are each named on one line with the reason, the good file is built, the exit is 1."""
    if not can_drop_privileges():
        pytest.skip("running as root without setpriv: an unreadable folder cannot be made")
    locked, good, missing = tmp_path / "locked", tmp_path / "good.txt", tmp_path / "nowhere" / "政策.txt"
    locked.mkdir()
    (locked / "inside.txt").write_bytes((CORPUS / f"{REF}.txt").read_bytes())
    shutil.copy(CORPUS / f"{REF}.txt", good)
    locked.chmod(0)
    try:
        r = cli("build", locked, missing, good, "--out", tmp_path / "out", "--strict", privileged=False)
    finally:
        locked.chmod(0o755)
    assert "Traceback" not in r.stderr
    assert r.returncode == 1, r.stdout + r.stderr
    for path, reason in ((locked, "permission denied"), (missing, "no such file")):
        lines = [ln for ln in r.stderr.splitlines() if f"{path}:" in ln]
        assert len(lines) == 1 and reason in lines[0], r.stderr
    assert (tmp_path / "out" / "extract" / "good.json").exists(), r.stdout + r.stderr


def test_a_measure_longer_than_the_nlp_limit_does_not_stop_the_build(tmp_path):
    """A text whose last measure runs on for more than spaCy's max_length (10⁶ characters):
    built, or skipped with a reason, never a traceback that stops the build."""
    from kg.build import process_file
    from kg.errors import PolicyKGError
    tail = "本市将持续推进科技成果转化工作，营造良好创新生态。" * 2 + "\n"
    text = ("关于促进科技成果转化的若干措施\n1.支持企业承接科技成果。给予最高50万元补助。\n"
            "2.推行先使用后付费模式。\n" + tail * (1_050_000 // len(tail)))
    path = tmp_path / "long_tail.txt"
    path.write_text(text, encoding="utf-8")
    try:
        doc = process_file(path)
    except PolicyKGError as err:
        assert str(path) in str(err)
        return
    [source] = doc.sources
    assert [m.n for m in source.measures] == ["1", "2"]
    assert [a.value for a in source.measures[0].amounts] == [500000]


# --- a text of a hundred megabytes ----------------------------------------------------------

BIG_MB = float(os.environ.get("POLICYKG_BIG_TEXT_MB", "10"))   # POLICYKG_BIG_TEXT_MB=100: the full size

BIG_SCRIPT = r"""
import json, random, resource, sys, time
from pathlib import Path
from kg.ingest import load_document
from kg.ingest.normalize import normalize
from kg.segment import segment
path, piece_path, copies = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
piece = piece_path.read_text(encoding="utf-8")
piece_norm, _ = normalize(piece)
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
t = time.perf_counter()
doc = load_document(path)
read = time.perf_counter() - t
ok = doc.normalized == piece_norm * copies and doc.original == piece * copies
rnd = random.Random(0)
for i in (rnd.randrange(len(doc.normalized)) for _ in range(2000)):
    o = doc.original[doc.offset_map[i]]
    ok = ok and (o == doc.normalized[i] or not o.isascii())
t = time.perf_counter()
segment(doc)
seg = time.perf_counter() - t
spans = [(s.start, s.end) for s in doc.sources]
ok = ok and spans[0][0] == 0 and spans[-1][1] == len(doc.normalized) and all(
    a[1] == b[0] for a, b in zip(spans, spans[1:]))
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"ok": ok, "read_s": read, "segment_s": seg, "base": base, "peak": peak,
                  "itemsize": doc.offset_map.itemsize, "sources": len(doc.sources),
                  "measures": sum(len(s.measures) for s in doc.sources)}))
"""


def test_large_text_is_read_right_in_bounded_memory(tmp_path):
    """A text of BIG_MB megabytes (the Traditional corpus text repeated): read and segmented
    right, with memory a few times the file's size (not fifty), in a fresh process."""
    piece = (CORPUS / f"{TRAD}.txt").read_text(encoding="utf-8")
    piece_bytes = piece.encode("utf-8")
    copies = max(1, int(BIG_MB * 1e6 // len(piece_bytes)))
    path = tmp_path / "large.txt"
    with open(path, "wb") as fh:
        for _ in range(copies):
            fh.write(piece_bytes)
    size = path.stat().st_size
    try:
        r = subprocess.run([sys.executable, "-c", BIG_SCRIPT, str(path), str(CORPUS / f"{TRAD}.txt"),
                            str(copies)], cwd=ROOT, capture_output=True, text=True, timeout=1800)
    finally:
        path.unlink()
    assert r.returncode == 0, r.stderr
    m = json.loads(r.stdout)
    print(f"{size / 1e6:.0f} MB: read {m['read_s']:.1f} s, segmented {m['segment_s']:.1f} s, "
          f"peak RSS {m['peak'] / 1e6:.0f} MB (from {m['base'] / 1e6:.0f} MB)")
    assert m["ok"]
    assert m["itemsize"] == 4   # the offset map: 4 bytes a character
    assert m["sources"] >= 1 and m["measures"] >= 10
    assert m["peak"] - m["base"] <= 12 * size


# --- what users type: unknown names get a suggestion, hostile text stays data ----------------

def query_cli(built_dir: Path, *args) -> subprocess.CompletedProcess:
    return cli(*args, "--build", built_dir)


@pytest.mark.parametrize("args, suggestion", [
    (("compare", "cities", "厦门", "夏门市"), "厦门市"),       # one character wrong
    (("compare", "cities", "珠海", "Xiamn"), "厦门"),          # a typo in the English name
    (("amounts", "--region", "夏门"), "厦门"),
    (("compare", "theme", "先使用后付"), "先使用后付费"),
])
def test_unknown_name_gets_a_did_you_mean(built, args, suggestion):
    r = query_cli(built[0], *args)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    message = r.stderr.strip()
    assert "\n" not in message and "did you mean" in message and suggestion in message, message


HOSTILE = ['厦门" } ; DROP ALL ; #', "x> } INSERT DATA { <a:b> <a:c> <a:d> } #", "厦门\\u0022 }\n#"]


def test_hostile_arguments_stay_data_and_change_nothing(built):
    """Quotes, braces, IRIs and newlines in arguments are values, never SPARQL: each is an
    unknown name on one line; update text given as a query is refused; the store is unchanged."""
    from kg.store import open_store
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    before = open_store("oxigraph", built[0]).select(count)[1][0]["n"]
    for value in HOSTILE:
        for args in (("query", "--name", "region-measures", "--param", f"region={value}"),
                     ("compare", "theme", value)):
            r = query_cli(built[0], *args)
            message = r.stderr.strip()
            assert r.returncode == 2 and "\n" not in message and "unknown" in message, (args, message)
    for update in ("DELETE WHERE { ?s ?p ?o }", "DROP ALL", "INSERT DATA { <a:b> <a:c> <a:d> }"):
        r = query_cli(built[0], "query", update)
        assert r.returncode == 2 and "Traceback" not in r.stderr, r.stdout + r.stderr
    assert open_store("oxigraph", built[0]).select(count)[1][0]["n"] == before
