"""Open the HTML graph in headless Chromium with the network blocked, wait until the layout has
settled, read the page's own node data and take a screenshot. The same code path serves the
browser test and `policykg viz --screenshot docs/graph.png`.

Chromium is Debian's (`/usr/bin/chromium`, installed by tests/setup_browser.sh), driven by
Playwright's Python client (which carries its own driver; no `playwright install`). Every request
that is not a file:// or data: URL is recorded and aborted, so a page that tried to reach a CDN
is caught, not silently served.
"""
from __future__ import annotations

import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import PolicyKGError

CHROMIUM = os.environ.get("POLICYKG_CHROMIUM", "/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
VIEWPORT = {"width": 1600, "height": 1000}


@dataclass
class PageReport:
    nodes: list[dict] = field(default_factory=list)      # id, label, name, kind, hidden
    edges: int = 0
    blocked: list[str] = field(default_factory=list)     # URLs the page tried to fetch
    console_errors: list[str] = field(default_factory=list)
    canvas_pixels: int = 0                               # non-transparent pixels on the canvas
    action_result: object = None                         # what `actions` returned
    ready_seconds: float = 0.0
    screenshot: Path | None = None


def browser_problem() -> str | None:
    """Why the browser cannot run here, or None when it can."""
    exe = CHROMIUM if os.path.isabs(CHROMIUM) else shutil.which(CHROMIUM)
    if not exe or not os.path.exists(exe):
        return f"no Chromium at {CHROMIUM} (run tests/setup_browser.sh or apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the Python package playwright is not installed"
    return None


_READ_NODES = """() => network.body.data.nodes.get().map(n => ({
    id: n.id, label: n.label, name: n.name, kind: n.kind, hidden: !!n.hidden}))"""
_CANVAS_PIXELS = """() => {
    const c = document.querySelector('#mynetwork canvas');
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
    return n; }"""


def open_graph(html: str | Path, screenshot: str | Path | None = None, timeout_s: float = 180,
               actions: str | None = None) -> PageReport:
    """Load the page offline, wait for network idle and `window.policykgReady`, read its data and
    optionally save a PNG. `actions`, a JS function source, runs before the screenshot."""
    problem = browser_problem()
    if problem:
        raise PolicyKGError(problem)
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    html = Path(html).resolve()
    if not html.exists():
        raise PolicyKGError("no such HTML file", html)
    report = PageReport()

    def route(r):
        url = r.request.url
        if url.startswith(("file:", "data:", "blob:", "about:")):
            r.continue_()
        else:
            report.blocked.append(url)
            r.abort()

    start = time.monotonic()
    with sync_playwright() as pw, tempfile.TemporaryDirectory(prefix="policykg-chromium-") as profile:
        try:
            ctx = pw.chromium.launch_persistent_context(
                profile, executable_path=CHROMIUM, headless=True, args=FLAGS, viewport=VIEWPORT,
                device_scale_factor=1, locale="zh-CN")
        except PlaywrightError as err:
            raise PolicyKGError(f"cannot start Chromium: {str(err).splitlines()[0]}", CHROMIUM) from None
        try:
            ctx.route("**/*", route)
            page = ctx.pages[0] if ctx.pages else ctx.new_page()
            page.on("console", lambda m: m.type == "error" and report.console_errors.append(m.text))
            page.on("pageerror", lambda e: report.console_errors.append(str(e)))
            page.goto(html.as_uri(), wait_until="networkidle", timeout=timeout_s * 1000)
            page.wait_for_function("window.policykgReady === true", timeout=timeout_s * 1000, polling=100)
            report.ready_seconds = time.monotonic() - start
            report.nodes = page.evaluate(_READ_NODES)
            report.edges = page.evaluate("() => network.body.data.edges.length")
            report.canvas_pixels = page.evaluate(_CANVAS_PIXELS)
            if actions:
                report.action_result = page.evaluate(actions)
                page.wait_for_timeout(600)   # let the focus animation end before the picture
            if screenshot is not None:
                screenshot = Path(screenshot)
                screenshot.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(screenshot))
                report.screenshot = screenshot
        except PlaywrightError as err:
            raise PolicyKGError(f"the page did not finish drawing: {str(err).splitlines()[0]}", html) from None
        finally:
            ctx.close()
    return report
