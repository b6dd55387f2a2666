"""Screenshot of the chat answering questions on the real corpus, for the README (browser tests' tooling).

    python bench/screenshot.py docs/chat.png
"""

import sys
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.browser import CHROMIUM, CHROMIUM_ARGS, live_server

QUESTIONS = ["What is CAR-T cell therapy?", "Is it an established treatment?"]


def main(out: Path) -> None:
    with live_server({}) as (url, _), sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(base_url=url, viewport={"width": 900, "height": 1000})
        page.goto("/")
        for number, question in enumerate(QUESTIONS, start=1):
            page.get_by_label("Ask the documents").fill(question)
            page.get_by_label("Ask the documents").press("Enter")
            expect(page.locator(".turn .answer")).to_have_count(number)
        page.screenshot(path=str(out), full_page=True)
        browser.close()
    print(f"wrote {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/chat.png"))
