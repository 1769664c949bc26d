"""Real headless Chromium (Debian's /usr/bin/chromium) driven by playwright, against uvicorn started here.

Every page test runs at a desk width (1280 px) and a phone width (390 px). A missing chromium makes these
tests fail, never skip: `playwright install` is never used.
"""

import re
import threading
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, sync_playwright

from tests.api.live import live_server

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
WIDTHS = {"desk": (1280, 900), "phone": (390, 844)}
PIXELS = {name: str(size[0]) for name, size in WIDTHS.items()}  # a tag for what a test at a width writes

# Records what the page must never do: a Content-Security-Policy violation, or an injected script running.
WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation",
  (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));
"""

# Latin words a user may read on the page: file formats, and the setting that turns the LLM on.
ALLOWED_LATIN = {"Word", "Excel", "JSON", "YAML", "txt", "csv", "md", "docx", "xlsx", "pdf", "MB", "KB",
                 "DRAFTING_LLM_MODEL"}


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    home = tmp_path_factory.mktemp("browser-home")
    with live_server(home / "home", home / "uvicorn.log") as base:
        yield base


@pytest.fixture(scope="session")
def fitted(server):
    """The service's first classification fits its model (the slowest step here): started once the service
    is up, it runs while the draft and corpus pages are tried; the feedback tests wait for it."""
    done: list[int] = []
    fit = threading.Thread(target=lambda: done.append(httpx.post(
        f"{server}/api/feedback", json={"text": "希望多开展实践活动\n满意"}, timeout=300).status_code))
    fit.start()
    yield lambda: (fit.join(), done)[1]


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture(params=list(WIDTHS), ids=list(WIDTHS))
def width(request) -> str:
    return str(request.param)


@pytest.fixture
def page(browser, server, fitted, width):
    w, h = WIDTHS[width]
    context = browser.new_context(base_url=server, accept_downloads=True, locale="zh-CN",
                                  viewport={"width": w, "height": h}, is_mobile=width == "phone",
                                  has_touch=width == "phone", device_scale_factor=1)
    context.add_init_script(WATCH)
    tab = context.new_page()
    tab.width = width  # type: ignore[attr-defined]
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.on("dialog", lambda dialog: dialog.accept())
    yield tab
    violations = tab.evaluate("window.__csp") if not tab.is_closed() else []
    context.close()
    assert errors == [], f"JavaScript errors on the page: {errors}"
    assert violations == [], f"Content-Security-Policy violations: {violations}"


def shot(page: Page, name: str) -> Path:
    """Save a full-page screenshot under tests/artifacts/<name>-<width>.png for a person to look at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}-{page.width}.png"  # type: ignore[attr-defined]
    page.screenshot(path=str(path), full_page=True)
    return path


def overflowing(page: Page) -> list[str]:
    """Elements that reach past the right edge of their card or the window (nothing may need sideways
    scrolling, nothing may stick out of its box)."""
    return page.evaluate("""() => {
      const out = [];
      if (document.documentElement.scrollWidth > window.innerWidth) {
        out.push(`page ${document.documentElement.scrollWidth} > ${window.innerWidth}`);
      }
      for (const node of document.querySelectorAll("body *")) {
        const box = node.getBoundingClientRect();
        if (!box.width || getComputedStyle(node).visibility === "hidden") continue;
        if (node.closest(".visually-hidden")) continue;
        const card = node.parentElement.closest(".card");
        const edge = card ? card.getBoundingClientRect().right : window.innerWidth;
        if (box.right > edge + 1 || box.left < -1) {
          const name = `${node.tagName.toLowerCase()}#${node.id}.${node.className}`;
          out.push(`${name} ${Math.round(box.left)}..${Math.round(box.right)}`);
        }
        if (node.matches("nav a, .btn, th") && node.scrollWidth > node.clientWidth + 1) {
          out.push(`clipped ${node.tagName.toLowerCase()} ${node.textContent.trim()}`);
        }
      }
      return out.slice(0, 10);
    }""")


def english(page: Page) -> list[str]:
    """Latin words the page itself shows, beyond the allowed file formats (no browser English). The tests'
    injected markup (<img …>, <script>…) is what a user typed, shown as text: it is left out."""
    text = re.sub(r"<script>.*?</script>|<[^<>]*>", "", page.evaluate("document.body.innerText"))
    return sorted({w for w in re.findall(r"[A-Za-z][A-Za-z_]+", text) if w not in ALLOWED_LATIN})


def native_controls(page: Page) -> list[str]:
    """Controls the browser would draw or speak in its own language."""
    return page.evaluate("""() => [
      ...[...document.querySelectorAll("input[type=file]")]
        .filter((n) => !n.classList.contains("visually-hidden")).map((n) => `file input #${n.id} shown`),
      ...[...document.querySelectorAll("input[type=date], input[type=number], input[required]")]
        .map((n) => `native ${n.type} #${n.id}`),
      ...[...document.querySelectorAll("form:not([novalidate])")]
        .map((n) => `form #${n.id} validated by the browser`),
      ...(document.documentElement.lang === "zh-CN" ? [] : ["lang is not zh-CN"]),
    ]""")


def looks_right(page: Page, name: str) -> None:
    """At this point of a task: nothing sideways, no English, native controls replaced; then a screenshot."""
    assert overflowing(page) == []
    assert english(page) == []
    assert native_controls(page) == []
    shot(page, name)


def no_injected_script_ran(page: Page) -> None:
    assert page.evaluate("window.__xss") is None


def watch_progress(page: Page, selector: str) -> None:
    """Note whether the progress box is inside the window the moment it is shown, and the counts it shows."""
    page.evaluate("""(selector) => {
      const box = document.querySelector(selector);
      window.__progress = { inView: null, counts: [] };
      new MutationObserver(() => {
        if (box.classList.contains("hidden")) return;
        const r = box.getBoundingClientRect();
        const seen = window.__progress;
        if (seen.inView === null) seen.inView = r.top >= 0 && r.bottom <= innerHeight;
        const text = box.innerText.replace(/已用 \\d+ 秒/, "");
        if (window.__progress.counts.at(-1) !== text) window.__progress.counts.push(text);
      }).observe(box, { attributes: true, subtree: true, childList: true, characterData: true });
    }""", selector)


def progress_seen(page: Page) -> dict:
    return page.evaluate("window.__progress")
