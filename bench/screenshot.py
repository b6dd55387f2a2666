"""Screenshots for the README (browser tests' tooling): the chat answering questions on the real corpus, and a PDF
citation opened on its page.

    python bench/screenshot.py docs/chat.png
    python bench/screenshot.py --pdf docs/pdf-viewer.png
"""

import os
import subprocess
import sys
import tempfile
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


PDF_QUESTION = "Which cities are Labor strongest in?"


def pdf_viewer(out: Path) -> None:
    """A SQuAD article rendered as a two-column PDF (bench/render.py), indexed, asked, and its citation opened."""
    sys.path.insert(0, str(Path(__file__).parent))
    from formats import read_articles
    from render import write_pdf
    from squad import convert

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        convert(Path(__file__).resolve().parents[2] / "shared/external/squad2-dev-5-articles.json", root / "squad")
        article = next(a for a in read_articles(root / "squad" / "corpus") if a.name.startswith("Victoria"))
        (root / "corpus").mkdir()
        write_pdf(article, root / "corpus" / "victoria.pdf")
        env = {"VERBATIM_CORPUS": str(root / "corpus"), "VERBATIM_INDEX": str(root / "index")}
        subprocess.run([str(Path(sys.executable).parent / "verbatim"), "index"], env={**os.environ, **env}, check=True)
        with live_server(env) as (url, _), sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(base_url=url, viewport={"width": 900, "height": 1100})
            page.goto("/")
            page.get_by_label("Ask the documents").fill(PDF_QUESTION)
            page.get_by_label("Ask the documents").press("Enter")
            page.locator(".turn a.cite").first.click()
            expect(page.locator("rect.highlight").first).to_be_attached()
            page.wait_for_function("() => document.querySelector('svg image').getBBox().width > 0")
            page.wait_for_timeout(500)
            page.locator("rect.highlight").first.scroll_into_view_if_needed()
            page.screenshot(path=str(out))
            browser.close()
    print(f"wrote {out}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--pdf"]:
        pdf_viewer(Path(sys.argv[2] if len(sys.argv) > 2 else "docs/pdf-viewer.png"))
    else:
        main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/chat.png"))
