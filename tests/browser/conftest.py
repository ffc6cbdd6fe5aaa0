"""Browser fixtures: Debian's Chromium driven by Playwright for Python (never a downloaded browser).

- ``browser`` (module): one headless Chromium per test module. Not session-wide: Playwright's sync API
  keeps its event loop marked as running while it is open, which would break the asyncio tests that
  run after the browser tests.
- ``new_page(user=None, viewport=DESKTOP)`` (factory): a fresh context and page of that size (``PHONE``: 390×844),
  logged in as ``user`` through the real login form when given; contexts are closed after the test.
- ``screenshot(page, name)``: saves ``test-artifacts/<name>.png`` (kept by CI); with
  ``MENTORHUB_DOCS_SCREENSHOTS=1`` also ``docs/_static/screenshots/<name>.png`` when a guide in ``docs/``
  shows it (``tests/docs_support.py``).
"""

from pathlib import Path

import pytest

from tests import docs_support

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]
DEMO_PASSWORD = "mentorhub-demo"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs it as root (apt-get install chromium)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        yield chromium
        chromium.close()


def login(page, hub_url: str, username: str, password: str = DEMO_PASSWORD) -> None:
    page.goto(f"{hub_url}/hub/login")
    page.fill("#username_input", username)
    page.fill("#password_input", password)
    page.click("#login_submit")
    page.wait_for_url("**/hub/home**", timeout=60_000)


@pytest.fixture
def new_page(browser, running_hub):
    contexts = []

    def make(user: str | None = None, viewport: dict = DESKTOP):
        context = browser.new_context(locale="zh-CN", viewport=viewport, is_mobile=viewport["width"] < 600,
                                      has_touch=viewport["width"] < 600)  # fmt: skip
        context.set_default_timeout(60_000)
        contexts.append(context)
        page = context.new_page()
        if user:
            login(page, running_hub.url, user)
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def screenshot(artifacts_dir):
    def save(page, name: str) -> Path:
        path = artifacts_dir / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        if docs_support.writing_docs_screenshots():
            docs_support.save_for_docs(path, name)
        return path

    return save
