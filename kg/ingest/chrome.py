"""Web-page chrome (login bars, breadcrumbs, share widgets, footers, the site's phone numbers)
is not part of a policy. Decide, line by line, which lines of a text to keep."""
from __future__ import annotations

import re
from collections.abc import Iterator

# Short lines holding one of these are page furniture, wherever they stand.
_CHROME = re.compile(
    r"登录|注册|当前位置|首页\s*[>＞»]|分享|二维码|扫一扫|扫码|公众号|版权所有|©|Copyright|ICP|备案号|"
    r"服务电话|服务热线|打印本页|关闭窗口|字号|\[?\s*大\s*中\s*小\s*\]?$|浏览次数|阅读次数|上一篇|下一篇|"
    r"返回顶部|网站地图|联系我们|免责声明|未经授权|技术支持[:：]|主办单位[:：]|承办单位[:：]",
    re.IGNORECASE)
# From the first of these near the end, the page footer begins: all short lines after it go.
_FOOTER = re.compile(r"版权所有|©|Copyright|ICP|服务电话|服务热线|微信公众号|网站地图|联系我们", re.IGNORECASE)
_PHONE_LINE = re.compile(r"^[\d\s\-()（）+]{7,}$")
_HOURS_LINE = re.compile(r"^[(（]?周[一二三四五六日].{0,4}至周[一二三四五六日].{0,20}[)）]?$")
# The line boundaries of str.splitlines, found without making a list of every line.
_LINE_END = re.compile("\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")
SHORT = 40
FOOTER_SHORT = 60


def line_ranges(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each line, line end included: the lines of text.splitlines(keepends=True)."""
    pos = 0
    for m in _LINE_END.finditer(text):
        yield pos, m.end()
        pos = m.end()
    if pos < len(text):
        yield pos, len(text)


def _footer_start(text: str) -> int:
    """Index of the line where the page footer begins (the number of lines when there is none)."""
    count = sum(1 for _ in line_ranges(text))
    tail_start = int(count * 0.6)
    for i, (a, b) in enumerate(line_ranges(text)):
        if i >= tail_start:
            s = text[a:b].strip()
            if len(s) <= FOOTER_SHORT and _FOOTER.search(s):
                return i
    return count


def kept_line_ranges(text: str) -> list[tuple[int, int]]:
    """(start, end) of each line to keep, line ends included, in order."""
    footer_from = _footer_start(text)
    kept = []
    for i, (a, b) in enumerate(line_ranges(text)):
        s = text[a:b].strip()
        if i >= footer_from and len(s) <= FOOTER_SHORT:
            continue
        if s and len(s) <= SHORT and (_CHROME.search(s) or _PHONE_LINE.match(s) or _HOURS_LINE.match(s)):
            continue
        kept.append((a, b))
    return kept
