"""What the browser tests share: one headless Debian Chromium per test module, driven by Playwright."""

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect, sync_playwright

from tests.browser import CHROMIUM, CHROMIUM_ARGS

# How long an expectation waits for the page to come right (a rebuild, an answer): a bound for a busy machine, not
# a speed asked of it; a page that is right returns at once.
expect.set_options(timeout=30_000)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
