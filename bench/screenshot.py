"""Screenshots for the README (browser tests' tooling): the chat answering questions on the real corpus, a PDF
citation opened on its page, and the document library.

    python bench/screenshot.py docs/chat.png
    python bench/screenshot.py --pdf docs/pdf-viewer.png
    python bench/screenshot.py --library docs/library.png
"""

import os
import shutil
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


TOKEN = "screenshot-library-token"
GLOSSARY = ("# Gene therapy glossary\n\nA vector is the vehicle that carries genetic material into a patient's cells.\n\n"
            "Ex vivo therapy modifies a patient's cells outside the body and then returns them.\n")  # fmt: skip
UNANSWERED = ["How much does Zolgensma cost in Canada?", "What is the price of Zolgensma in Canada?"]


def library(out: Path) -> None:
    """The library as its owner sees it: the project's documents, one more uploaded and indexed on the page, one
    removed to the trash, a question the documents don't answer (asked twice) and an answer rated not helpful."""
    repo = Path(__file__).resolve().parents[1]
    from tests.conftest import PDF_PAGES, write_pdf

    with tempfile.TemporaryDirectory() as folder:
        corpus = Path(folder) / "corpus"
        corpus.mkdir()
        shutil.copy(repo / "corpus" / "gene-therapy.txt", corpus)
        for name in ("vectors.md", "editing.txt", "trials.html"):
            shutil.copy(repo / "tests" / "data" / name, corpus)
        write_pdf(corpus / "manufacturing.pdf", PDF_PAGES)
        env = {"VERBATIM_CORPUS": str(corpus), "VERBATIM_INDEX": str(Path(folder) / "index")}
        subprocess.run([str(Path(sys.executable).parent / "verbatim"), "index"], env={**os.environ, **env}, check=True)
        env |= {"VERBATIM_ADMIN_TOKEN": TOKEN, "VERBATIM_LOG_QUESTIONS": "true"}
        with live_server(env) as (url, _), sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(base_url=url, viewport={"width": 1000, "height": 1000})
            page.on("dialog", lambda dialog: dialog.accept())
            page.goto("/")
            for question in UNANSWERED:
                page.goto("/?q=" + question)
            page.get_by_role("button", name="Not helpful").click()
            page.get_by_label("What was wrong or missing? (optional)").fill("It should give the price.")
            page.get_by_role("button", name="Send").click()
            expect(page.locator(".feedback-said")).to_contain_text("sent")
            page.goto("/library")
            page.get_by_label("Token").fill(TOKEN)
            page.get_by_role("button", name="Sign in").click()
            page.get_by_role("button", name="Remove trials.html").click()
            expect(page.locator("#rebuild")).to_have_attribute("data-state", "done", timeout=120_000)
            page.set_input_files("#file", [{"name": "glossary.md", "mimeType": "text/markdown",
                                            "buffer": GLOSSARY.encode()}])  # fmt: skip
            page.get_by_role("button", name="Upload").click()
            expect(page.locator("#rebuild .why")).to_have_text("added glossary.md")
            expect(page.locator("#rebuild")).to_have_attribute("data-state", "done", timeout=120_000)
            expect(page.locator('#documents tr[data-source="glossary.md"] .state-indexed')).to_be_visible()
            page.screenshot(path=str(out), full_page=True)
            browser.close()
    print(f"wrote {out}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--pdf"]:
        pdf_viewer(Path(sys.argv[2] if len(sys.argv) > 2 else "docs/pdf-viewer.png"))
    elif sys.argv[1:2] == ["--library"]:
        library(Path(sys.argv[2] if len(sys.argv) > 2 else "docs/library.png"))
    else:
        main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/chat.png"))
