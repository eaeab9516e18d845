"""Web-page chrome (login bars, breadcrumbs, share widgets, footers, the site's phone numbers)
is not part of a policy. Decide, line by line, which lines of a text to keep."""
from __future__ import annotations

import re

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
SHORT = 40
FOOTER_SHORT = 60


def kept_line_ranges(text: str) -> list[tuple[int, int]]:
    """(start, end) of each line to keep, line ends included, in order."""
    lines, pos = [], 0
    for line in text.splitlines(keepends=True):
        lines.append((pos, pos + len(line), line.strip()))
        pos += len(line)
    footer_from = len(lines)
    tail_start = int(len(lines) * 0.6)
    for i, (_, _, s) in enumerate(lines):
        if i >= tail_start and len(s) <= FOOTER_SHORT and _FOOTER.search(s):
            footer_from = i
            break
    kept = []
    for i, (a, b, s) in enumerate(lines):
        if i >= footer_from and len(s) <= FOOTER_SHORT:
            continue
        if s and len(s) <= SHORT and (_CHROME.search(s) or _PHONE_LINE.match(s) or _HOURS_LINE.match(s)):
            continue
        kept.append((a, b))
    return kept
