"""Real-world inputs: the corpus texts written out as a Word file (python-docx, with Word's own list
numbering), a PDF (matplotlib's PDF backend, and LibreOffice when installed, with running heads
and page numbers on every page), a saved web page (the chrome the news text already has), and a
binary .doc (LibreOffice). Each format must give the extraction the .txt gives, scored with the
project's own eval against tests/gold: every field's F1 within 0.02 of the .txt's."""
from __future__ import annotations

import functools
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import zipfile
from pathlib import Path

import pytest

from conftest import CORPUS, GOLD, ROOT

GOLD_STEMS = sorted(p.stem for p in GOLD.glob("*.json"))
NEWS = "000_036a2871f1bebc09"
RUNNING_HEAD = "科技成果转化政策汇编"
MAX_F1_GAP = 0.02


def corpus_text(stem: str) -> str:
    return (CORPUS / f"{stem}.txt").read_text(encoding="utf-8")


def body_lines(text: str) -> list[str]:
    return [ln.strip() for ln in text.splitlines() if ln.strip()]


# ------------------------------------------------------------------ writing the test inputs

PART = re.compile(r"^([一二三四五六七八九十]+)(、)(.*)$")
PAREN_PART = re.compile(r"^([(（])([一二三四五六七八九十]+)([)）])(.*)$")
ITEM = re.compile(r"^(\d{1,2})([.．、])(?!\d)(.*)$")
CN = "一二三四五六七八九"


def cn_value(s: str) -> int:
    """一 -> 1, 十 -> 10, 十二 -> 12, 二十一 -> 21."""
    if "十" not in s:
        return CN.index(s) + 1
    tens, _, ones = s.partition("十")
    return (CN.index(tens) + 1 if tens else 1) * 10 + (CN.index(ones) + 1 if ones else 0)


class WordLists:
    """List definitions added to numbering.xml as Word writes them: an abstractNum per list
    style (format + level text), a num per list, a num with startOverride where a list restarts."""

    def __init__(self, document):
        from docx.oxml.ns import qn
        self.qn = qn
        self.numbering = document.part.numbering_part.element
        self.abstract: dict[tuple, str] = {}
        self.current: dict[tuple, str] = {}
        self.expected: dict[tuple, int] = {}

    def _el(self, tag: str, **attrs):
        from docx.oxml import OxmlElement
        el = OxmlElement(tag)
        for k, v in attrs.items():
            el.set(self.qn(f"w:{k}"), v)
        return el

    def _abstract(self, key: tuple, fmt: str, text: str) -> str:
        if key not in self.abstract:
            aid = str(100 + len(self.abstract))
            an = self._el("w:abstractNum", abstractNumId=aid)
            an.append(self._el("w:multiLevelType", val="singleLevel"))
            lvl = self._el("w:lvl", ilvl="0")
            for tag, val in (("w:start", "1"), ("w:numFmt", fmt), ("w:lvlText", text), ("w:lvlJc", "left")):
                lvl.append(self._el(tag, val=val))
            an.append(lvl)
            first_num = self.numbering.find(self.qn("w:num"))   # abstractNums precede nums
            first_num.addprevious(an) if first_num is not None else self.numbering.append(an)
            self.abstract[key] = aid
        return self.abstract[key]

    def _num(self, aid: str, restart: bool) -> str:
        nid = str(200 + len(self.numbering.findall(self.qn("w:num"))))
        num = self._el("w:num", numId=nid)
        num.append(self._el("w:abstractNumId", val=aid))
        if restart:
            override = self._el("w:lvlOverride", ilvl="0")
            override.append(self._el("w:startOverride", val="1"))
            num.append(override)
        self.numbering.append(num)
        return nid

    def number(self, paragraph, n: int, fmt: str, text: str) -> bool:
        """Give the paragraph list number n: False if n neither continues nor restarts its list."""
        key = (fmt, text)
        aid = self._abstract(key, fmt, text)
        if key in self.current and n == self.expected.get(key):
            nid = self.current[key]
        elif n == 1:
            nid = self.current[key] = self._num(aid, restart=key in self.expected)
        else:
            return False
        self.expected[key] = n + 1
        numpr = self._el("w:numPr")
        numpr.append(self._el("w:ilvl", val="0"))
        numpr.append(self._el("w:numId", val=nid))
        paragraph._p.get_or_add_pPr().append(numpr)
        return True


def write_docx(text: str, path: Path, word_numbering: bool) -> Path:
    """A .docx of the text, one paragraph a line; with `word_numbering` the "一、", "（一）" and
    "1." of parts and measures are Word list numbers (w:numPr), not typed characters. A running
    head and a PAGE field sit in the header and footer."""
    import docx
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    document = docx.Document()
    lists = WordLists(document)
    section = document.sections[0]
    section.header.paragraphs[0].text = RUNNING_HEAD
    footer = section.footer.paragraphs[0]
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run, t = OxmlElement("w:r"), OxmlElement("w:t")
    t.text = "1"
    run.append(t)
    field.append(run)
    footer.add_run("— ")
    footer._p.append(field)
    footer.add_run(" —")
    for line in body_lines(text):
        p = document.add_paragraph()
        if word_numbering:
            if (m := PART.match(line)) and lists.number(p, cn_value(m[1]), "chineseCounting", "%1" + m[2]):
                p.style = document.styles["Heading 2"]
                p.add_run(m[3])
                continue
            if (m := PAREN_PART.match(line)) and lists.number(p, cn_value(m[2]), "chineseCounting",
                                                              m[1] + "%1" + m[3]):
                p.add_run(m[4])
                continue
            if (m := ITEM.match(line)) and lists.number(p, int(m[1]), "decimal", "%1" + m[2]):
                p.add_run(m[3])
                continue
        p.add_run(line)
    document.save(path)
    return path


def cjk_font_file() -> str | None:
    from matplotlib import font_manager
    from kg.compare import cjk_font
    name = cjk_font()
    if not name:
        return None
    return font_manager.findfont(font_manager.FontProperties(family=name), fallback_to_default=False)


def write_pdf(text: str, path: Path, font_file: str, size: float = 11.0) -> Path:
    """An A4 PDF of the text set with matplotlib's PDF backend (TrueType embedded): paragraphs
    wrapped to the measure with a two-character first-line indent, a running head on top of every
    page and "第 N 页 共 M 页" under it."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from fontTools.ttLib import TTCollection, TTFont
    from matplotlib.backends.backend_pdf import PdfPages
    from matplotlib.font_manager import FontProperties

    font = TTCollection(font_file).fonts[0] if font_file.lower().endswith(".ttc") else TTFont(font_file)
    cmap, hmtx, per_em = font.getBestCmap(), font["hmtx"], font["head"].unitsPerEm

    def advance(ch: str) -> float:
        return hmtx[cmap[ord(ch)]][0] / per_em if ord(ch) in cmap else 1.0

    width, height, margin = 595.0, 842.0, 72.0
    measure = (width - 2 * margin) / size
    lines: list[tuple[str, float]] = []
    for para in body_lines(text):
        room, current, used = measure - 2, "", 0.0      # the first line is indented by two ems
        for ch in para:
            if used + advance(ch) > room and current:
                lines.append((current, 2 * size if room < measure else 0.0))
                room, current, used = measure, "", 0.0
            current, used = current + ch, used + advance(ch)
        lines.append((current, 2 * size if room < measure else 0.0))
    pitch = size * 1.5
    per_page = int((height - 2 * margin) // pitch)
    pages = [lines[i:i + per_page] for i in range(0, len(lines), per_page)]
    body, small = FontProperties(fname=font_file, size=size), FontProperties(fname=font_file, size=9)
    with matplotlib.rc_context({"pdf.fonttype": 42}), PdfPages(path) as pdf:
        for n, page in enumerate(pages, 1):
            fig = plt.figure(figsize=(width / 72, height / 72))
            fig.text(0.5, 1 - 40 / height, RUNNING_HEAD, fontproperties=small, ha="center")
            fig.text(0.5, 30 / height, f"第 {n} 页 共 {len(pages)} 页", fontproperties=small, ha="center")
            y = height - margin
            for line, indent in page:
                fig.text((margin + indent) / width, y / height, line, fontproperties=body, va="top")
                y -= pitch
            pdf.savefig(fig)
            plt.close(fig)
    return path


CHROME_HEAD = """<div class="topbar"><a href="/login">{login}</a></div>
<nav class="breadcrumb">{crumbs}</nav>
<div class="share">{share}</div>"""


def html_page(text: str, published: str | None = None, charset: str = "utf-8") -> str:
    """A saved web page: the text's own chrome lines (login bar, breadcrumbs, share widget) in
    <header>, its footer lines (phone numbers, ICP record) in <footer>, the article in <article>
    with the title as <h1>, short section headings as <p><strong> and paragraphs as <p>."""
    from kg.ingest.chrome import kept_line_ranges
    lines, pos, kept_starts = [], 0, {a for a, _ in kept_line_ranges(text)}
    for raw in text.splitlines(keepends=True):
        if raw.strip():
            lines.append((raw.strip(), pos in kept_starts))
        pos += len(raw)
    first = next(i for i, (_, keep) in enumerate(lines) if keep)
    last = max(i for i, (_, keep) in enumerate(lines) if keep)
    head = [s for s, _ in lines[:first]]
    body = [s for s, _ in lines[first:last + 1]]
    foot = [s for s, _ in lines[last + 1:]]
    e = html.escape
    crumbs = next((s for s in head if "当前位置" in s), "")
    login = next((s for s in head if "登录" in s), "")
    share = " ".join(s for s in head if s not in (crumbs, login))
    title = body[0]
    meta = f'<meta name="PubDate" content="{published}">' if published else ""
    article = [f"<h1>{e(title)}</h1>"]
    for s in body[1:]:
        short = len(s) <= 24 and not re.search(r"[。;；]$", s)
        article.append(f"<p><strong>{e(s)}</strong></p>" if short else f"<p>&nbsp;&nbsp;{e(s)}</p>")
    return (f'<!DOCTYPE html>\n<html lang="zh-CN"><head>'
            f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">'
            f"<title>{e(title)}</title>{meta}</head>\n<body>\n<header>"
            + CHROME_HEAD.format(login=e(login), crumbs=e(crumbs), share=e(share)) +
            '</header>\n<main><article class="news">\n' + "\n".join(article) +
            "\n</article></main>\n<aside><h3>相关新闻</h3><ul><li><a href='/n/1'>更多资讯</a></li></ul></aside>\n"
            "<footer>" + "".join(f"<p>{e(s)}</p>" for s in foot) + "</footer>\n</body></html>\n")


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def libreoffice_convert(jobs: list[tuple[list[Path], str, Path]]) -> threading.Thread:
    """Convert in the background with LibreOffice: each job is (files, target format, out folder).
    One private profile, made once and reused, and no clash with a LibreOffice the user runs."""
    profile = Path(tempfile.mkdtemp(prefix="lo-profile-")).as_uri()

    def work() -> None:
        for files, target, out_dir in jobs:
            out_dir.mkdir(parents=True, exist_ok=True)
            subprocess.run([soffice(), f"-env:UserInstallation={profile}", "--headless", "--norestore",
                            "--convert-to", target, "--outdir", str(out_dir), *map(str, files)],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=300, check=False)
    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    return thread


# ------------------------------------------------------------------ fixtures

@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """The gold texts (and the news text) in every format: {format: {stem: path}}."""
    root = tmp_path_factory.mktemp("formats")
    out: dict[str, dict[str, Path]] = {}

    def put(fmt: str, stem: str, path: Path) -> None:
        out.setdefault(fmt, {})[stem] = path

    for fmt in ("docx-numbered", "docx-typed", "html", "pdf-matplotlib", "pdf-libreoffice", "doc"):
        (root / fmt).mkdir()
    for stem in GOLD_STEMS:
        text = corpus_text(stem)
        put("docx-numbered", stem, write_docx(text, root / "docx-numbered" / f"{stem}.docx", True))
        put("docx-typed", stem, write_docx(text, root / "docx-typed" / f"{stem}.docx", False))
        page = root / "html" / f"{stem}.html"
        page.write_text(html_page(text), encoding="utf-8")
        put("html", stem, page)
    news = root / "html" / f"{NEWS}.html"
    news.write_text(html_page(corpus_text(NEWS), published="2026-01-26"), encoding="utf-8")
    put("html", NEWS, news)
    conversion = None
    if soffice():
        # .doc: one text with Word numbering (LibreOffice reads it back), one with typed numbers
        # (antiword does not print Word's list numbers)
        conversion = libreoffice_convert([
            ([out["docx-numbered"][s] for s in GOLD_STEMS], "pdf", root / "pdf-libreoffice"),
            ([out["docx-numbered"][GOLD_STEMS[0]]], "doc", root / "doc"),
            ([out["docx-typed"][GOLD_STEMS[0]]], "doc", root / "doc-typed")])
    font = cjk_font_file()
    if font:
        for stem in GOLD_STEMS:
            put("pdf-matplotlib", stem, write_pdf(corpus_text(stem), root / "pdf-matplotlib" / f"{stem}.pdf", font))
    if conversion:
        conversion.join(timeout=900)
    for stem in GOLD_STEMS:
        for fmt, folder, suffix in (("pdf-libreoffice", "pdf-libreoffice", ".pdf"), ("doc", "doc", ".doc"),
                                    ("doc-typed", "doc-typed", ".doc")):
            path = root / folder / f"{stem}{suffix}"
            if path.exists():
                put(fmt, stem, path)
    return out


@functools.lru_cache(maxsize=None)
def processed_file(path: Path):
    """A made file through ingest, segmentation and extraction (once per test session)."""
    from kg.build import process_file
    return process_file(path)


def f1_by_field(docs, stems: list[str]) -> dict[str, float]:
    """The project's eval (kg.scoring) of extracted documents against the gold of `stems`."""
    from kg.goldjson import write_gold
    from kg.scoring import score, table
    with tempfile.TemporaryDirectory() as tmp:
        gold_dir, pred_dir = Path(tmp, "gold"), Path(tmp, "pred")
        gold_dir.mkdir()
        for stem in stems:
            shutil.copy(GOLD / f"{stem}.json", gold_dir)
        for doc in docs:
            write_gold(doc, pred_dir)
        return {name: f1 for name, _, _, f1, *_ in table(score(gold_dir, pred_dir))}


def needs(made: dict, fmt: str, why: str) -> dict[str, Path]:
    if not made.get(fmt):
        pytest.skip(why)
    return made[fmt]


NO_LIBREOFFICE = "LibreOffice (soffice) is not on PATH: apt-get install libreoffice-writer-nogui"
NO_CJK_FONT = "no font with Chinese glyphs for matplotlib: apt-get install fonts-wqy-microhei"
FORMAT_CASES = {   # format: (files by stem, skip reason)
    "docx-numbered": "", "docx-typed": "", "html": "",
    "pdf-matplotlib": NO_CJK_FONT, "pdf-libreoffice": NO_LIBREOFFICE, "doc": NO_LIBREOFFICE,
}


# ------------------------------------------------------------------ equivalence with the .txt

@pytest.mark.parametrize("fmt", list(FORMAT_CASES))
def test_format_scores_like_the_txt(made, processed, fmt):
    files = needs(made, fmt, FORMAT_CASES[fmt])
    stems = [s for s in GOLD_STEMS if s in files]
    docs = [processed_file(files[s]) for s in stems]
    assert all(d.meta["format"] == fmt.split("-")[0] for d in docs)
    got = f1_by_field(docs, stems)
    want = f1_by_field([processed[s] for s in stems], stems)
    gaps = {k: round(got[k] - want[k], 3) for k in want if abs(got[k] - want[k]) >= MAX_F1_GAP}
    assert not gaps, f"{fmt}: F1 differs from the .txt's by {MAX_F1_GAP} or more: {gaps}"


def test_doc_with_typed_numbers_through_antiword(made, processed, monkeypatch):
    """antiword (the light .doc reader) keeps typed text; used when LibreOffice is absent."""
    import kg.ingest.doc as doc_reader
    from kg.build import process_file
    if not shutil.which("antiword"):
        pytest.skip("antiword is not on PATH: apt-get install antiword")
    files = needs(made, "doc-typed", NO_LIBREOFFICE + " (to write the .doc)")
    monkeypatch.setattr(doc_reader, "soffice", lambda: None)
    stems = sorted(files)
    docs = [process_file(files[s]) for s in stems]
    assert all(d.meta["converter"] == "antiword" for d in docs)
    got, want = f1_by_field(docs, stems), f1_by_field([processed[s] for s in stems], stems)
    assert all(abs(got[k] - want[k]) < MAX_F1_GAP for k in want), (got, want)


def test_news_page_gives_the_measures_amounts_and_themes_of_the_txt(made, processed):
    from kg.goldjson import to_gold

    def facts(doc):
        return [(s["region"], m["n"], m["title"], sorted(m["themes"]),
                 sorted((a["kind"], a["value"], a["unit"]) for a in m["amounts"]))
                for s in to_gold(doc)["sources"] for m in s["measures"]]
    page = processed_file(made["html"][NEWS])
    txt = processed[NEWS]
    assert facts(txt) and facts(page) == facts(txt)
    # trafilatura kept the article and dropped the page chrome
    for chrome in ("会员登录", "当前位置", "扫描二维码", "服务电话", "ICP"):
        assert chrome in txt.original and chrome not in page.original, chrome
    assert "相关新闻" not in page.original      # the page's sidebar
    # the page's title and date are its metadata; the section headings stay lines of their own
    assert page.meta["title"] == body_lines(corpus_text(NEWS))[3]
    assert page.meta["date"] == "2026-01-26"
    lines = set(body_lines(page.original))
    assert all(m.title in lines for s in page.sources for m in s.measures if m.title)


def test_page_in_gb2312_reads_like_utf8(made, tmp_path):
    from kg.ingest import load_document
    stem = GOLD_STEMS[-1]
    page = html_page(corpus_text(stem), charset="gb2312")
    path = tmp_path / f"{stem}.htm"
    path.write_bytes(page.encode("gb18030"))
    doc = load_document(path)
    assert doc.encoding == "gb18030"
    assert doc.original == load_document(made["html"][stem]).original


# ------------------------------------------------------------------ what each reader must do

def test_docx_list_numbers_come_back_from_word_numbering(made):
    for stem in GOLD_STEMS:
        path = made["docx-numbered"][stem]
        xml = zipfile.ZipFile(path).read("word/document.xml").decode("utf-8")
        runs = re.findall(r"<w:t[^>]*>([^<]*)</w:t>", xml)
        numbered = [ln for ln in body_lines(corpus_text(stem)) if PART.match(ln) or ITEM.match(ln)]
        if not numbered:
            continue
        assert xml.count("<w:numPr>") >= len(numbered) - 1
        assert not any(PART.match(r) or ITEM.match(r) for r in runs), "numbers typed, not Word numbering"
        # the printed numbers are regained, restarts (a second 一、 list) included
        text = processed_file(path).original
        assert body_lines(text) == body_lines(corpus_text(stem))
        assert RUNNING_HEAD not in text


def test_docx_numbering_given_by_a_list_style(tmp_path):
    """Word's own "List Number" style numbers its paragraphs through the style, not the paragraph."""
    import docx
    from kg.ingest.docx import docx_to_text
    items = [ITEM.match(ln) for ln in body_lines(corpus_text(GOLD_STEMS[-1]))]
    items = [m for m in items if m][:3]
    document = docx.Document()
    for m in items:
        document.add_paragraph(m[3], style="List Number")
    document.save(tmp_path / "list.docx")
    text, meta = docx_to_text((tmp_path / "list.docx").read_bytes())
    assert body_lines(text) == [f"{i}.{m[3]}" for i, m in enumerate(items, 1)]


@pytest.mark.parametrize("n, fmt, printed", [
    (1, "chineseCounting", "一"), (10, "chineseCounting", "十"), (12, "chineseCounting", "十二"),
    (20, "chineseCountingThousand", "二十"), (105, "chineseCounting", "一百零五"),
    (3, "decimalEnclosedCircle", "③"), (4, "lowerRoman", "iv"), (28, "upperLetter", "BB"),
    (7, "decimalFullWidth", "７"), (2, "ideographTraditional", "乙")])
def test_word_number_formats(n, fmt, printed):
    from kg.ingest.docx import format_number
    assert format_number(n, fmt) == printed


ENUMERATION = re.compile(r"^[一二三四五六七八九十]+是")


@pytest.mark.parametrize("fmt", ["pdf-matplotlib", "pdf-libreoffice"])
def test_pdf_running_heads_dropped_and_paragraphs_rejoined(made, fmt):
    files = needs(made, fmt, FORMAT_CASES[fmt])
    for stem, path in files.items():
        doc = processed_file(path)
        assert doc.meta["pages"] >= 3
        assert RUNNING_HEAD not in doc.original
        assert not re.search(r"第\s*\d+\s*页|^\W*\d+\W*$", doc.original, re.MULTILINE)
        # "1. " where Word puts a tab after the number reads "1."
        got = [re.sub(r"^(\S{1,4}[.、])\s+", r"\1", ln) for ln in body_lines(doc.original)]
        want = body_lines(corpus_text(stem))
        # nothing lost or added: the same characters in the same order ...
        assert "".join(got) == "".join(want), f"{fmt} {stem}"
        # ... and wrapped lines joined again, across page breaks too: every numbered item, part
        # and enumeration starts a line of its own, as the segmenter needs, and no line is a
        # fragment of a visual line
        starts = [ln for ln in want if PART.match(ln) or ITEM.match(ln) or PAREN_PART.match(ln) or ENUMERATION.match(ln)]
        assert starts and all(ln in got for ln in starts), f"{fmt} {stem}"
        assert len(got) <= len(want)


def test_provenance_offsets_refer_to_the_saved_extracted_text(made, tmp_path):
    from kg.goldjson import to_gold
    from kg.ingest import extracted_text_path, write_extracted_text
    fmt = "pdf-matplotlib" if made.get("pdf-matplotlib") else "docx-numbered"
    doc = processed_file(made[fmt][GOLD_STEMS[0]])
    saved = write_extracted_text(doc, tmp_path)
    assert saved == extracted_text_path(tmp_path, doc.doc)
    with open(saved, encoding="utf-8", newline="") as fh:
        text = fh.read()
    quotes = [(a["start"], a["end"], a["quote"]) for s in to_gold(doc)["sources"]
              for m in s["measures"] for a in m["amounts"]]
    assert quotes and all(q and text[a:b] == q for a, b, q in quotes)


def run_cli(*args, env=None) -> subprocess.CompletedProcess:
    # COLUMNS: rich wraps messages at 80 columns when stderr is not a terminal
    env = (env or dict(os.environ)) | {"COLUMNS": "500"}
    return subprocess.run([sys.executable, "-m", "kg", *map(str, args)], cwd=ROOT, capture_output=True,
                          text=True, timeout=300, env=env)


def test_doc_without_a_converter_says_what_to_install(tmp_path):
    from kg.ingest.doc import MISSING
    doc = tmp_path / "policy.doc"
    doc.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1024)
    bare_path = str(Path(sys.executable).parent)          # the venv's bin: no soffice, no antiword
    r = run_cli("extract", doc, "--out", tmp_path / "out", env=os.environ | {"PATH": bare_path})
    assert r.returncode == 2
    assert f"{doc}: {MISSING}" in r.stderr and "Traceback" not in r.stderr


def test_broken_and_scanned_pdfs_are_one_line_errors(tmp_path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\n1 0 obj << >> endobj\n")
    scan = tmp_path / "scan.pdf"
    fig = plt.figure(figsize=(3, 3))
    fig.add_artist(plt.Rectangle((0.1, 0.1), 0.8, 0.8, color="grey"))   # an image of a page, no text
    fig.savefig(scan)
    plt.close(fig)
    r = run_cli("extract", broken, scan, "--out", tmp_path / "out")
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert re.search(r"skipped .*broken\.pdf: not a readable PDF", r.stderr)
    assert re.search(r"skipped .*scan\.pdf: the PDF has no text layer", r.stderr)


def test_build_reads_every_format_from_a_folder(made, tmp_path):
    from kg.build import discover
    folder = tmp_path / "mixed"
    folder.mkdir()
    stem = GOLD_STEMS[0]          # the one text that exists in every format
    shutil.copy(made["docx-numbered"][stem], folder / "a.docx")
    shutil.copy(made["html"][stem], folder / "b.html")
    shutil.copy(CORPUS / f"{stem}.txt", folder / "c.txt")
    for fmt, name in (("pdf-matplotlib", "d.pdf"), ("doc", "e.doc")):
        if stem in made.get(fmt, {}):
            shutil.copy(made[fmt][stem], folder / name)
    files, problems = discover([folder])
    assert not problems and sorted(p.name for p in files) == sorted(p.name for p in folder.iterdir())
    # (the .doc is read by the equivalence test; LibreOffice is slow to start)
    r = run_cli("extract", *[f for f in files if f.suffix != ".doc"], "--out", tmp_path / "out")
    assert r.returncode == 0, r.stderr
    outputs = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in (tmp_path / "out").glob("*.json")}
    counts = {name: sum(len(s["measures"]) for s in data["sources"]) for name, data in outputs.items()}
    assert len(set(counts.values())) == 1 and min(counts.values()) > 0, counts
