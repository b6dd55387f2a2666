"""The document library in Debian's Chromium, driven by Playwright, against one real `verbatim serve` on 127.0.0.1
(with the admin token and the question log on): sign in, upload, follow the rebuild, ask, remove and restore, rate
answers, see what went unanswered; and every refused request says so on the page and changes no file."""

import re
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

from index.build import BuildReport
from index.embed import Embedder
from index.runtime import export_folder
from server.settings import Settings
from server.web.db import database_path
from tests.browser import live_server
from tests.conftest import DATA
from tests.server.library_site import (
    BEES_QUESTION,
    FISH,
    FISH_QUESTION,
    FISH_QUOTE,
    TOKEN,
    bees_pdf,
    build_site,
    site_settings,
)

REBUILT = 120_000  # ms a rebuild may take on a slow machine (it takes a few seconds here)
ANSWERABLE = "Do lentiviruses integrate into the genome?"
UNANSWERED = "Who won the 1998 football World Cup?"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, settings: Settings, embedder: Embedder, built: BuildReport) -> Path:
    return build_site(tmp_path_factory.mktemp("browser-site"), embedder, export_folder(settings.index, settings.model).parent)


@pytest.fixture(scope="module")
def base_url(site: Path) -> Iterator[str]:
    env = {"VERBATIM_CORPUS": str(site / "corpus"), "VERBATIM_INDEX": str(site / "index"),
           "VERBATIM_ADMIN_TOKEN": TOKEN, "VERBATIM_RELOAD_SECONDS": "0.2", "VERBATIM_LOG_QUESTIONS": "true",
           "VERBATIM_UPLOAD_MAX_BYTES": "200000"}  # fmt: skip
    with live_server(env) as (url, _):
        yield url


def sign_in(page: Page, token: str) -> None:
    page.goto("/library")
    page.get_by_label("Token").fill(token)
    page.get_by_role("button", name="Sign in").click()


@pytest.fixture(scope="module")
def owner(browser: Browser, base_url: str) -> Iterator[BrowserContext]:
    """A browser signed in to the library, shared by the tests (its session cookie lasts)."""
    context = browser.new_context(base_url=base_url)
    page = context.new_page()
    sign_in(page, TOKEN)
    expect(page.locator("#documents")).to_be_visible()
    page.close()
    yield context
    context.close()


@pytest.fixture
def library(owner: BrowserContext) -> Iterator[Page]:
    page = owner.new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # "Move X to the trash?"
    page.goto("/library")
    yield page
    page.close()


def files(site: Path) -> dict[str, bytes]:
    """Every file of the corpus and of the trash beside it, with its bytes."""
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.glob("corpus*/**/*")) if p.is_file()}


def upload(page: Page, *named: tuple[str, bytes, str]) -> None:
    page.set_input_files("#file", [{"name": n, "buffer": b, "mimeType": t} for n, b, t in named])
    page.get_by_role("button", name="Upload").click()


def rebuilt(page: Page) -> Locator:
    """The rebuild panel once the page has followed the rebuild to its end (library.js reloads it then)."""
    panel = page.locator("#rebuild")
    expect(panel).to_have_attribute("data-state", "done", timeout=REBUILT)
    expect(page).to_have_url(re.compile(r"/library\?rebuild=\w+"))
    return panel


def row(page: Page, source: str) -> Locator:
    return page.locator(f'#documents tr[data-source="{source}"]')


def ask(page: Page, question: str) -> Locator:
    """Ask in the chat; the new turn once it holds its answer."""
    turns = page.locator("#conversation .turn")
    before = turns.count()
    page.get_by_label("Ask the documents").fill(question)
    page.get_by_label("Ask the documents").press("Enter")
    expect(turns).to_have_count(before + 1)
    turn = turns.nth(before)
    expect(turn.locator(".answer")).to_have_count(1)
    return turn


def shows_in_time(page: Page, locator: Locator, text: str, seconds: float = 15) -> None:
    """Reload the page until the locator holds the text (what the server stores is written from a queue)."""
    deadline = time.monotonic() + seconds
    while text not in " ".join(locator.all_inner_texts()) and time.monotonic() < deadline:
        time.sleep(0.3)
        page.reload()
    expect(locator.first).to_be_attached()
    assert text in " ".join(locator.all_inner_texts())


def test_a_wrong_token_is_refused_on_the_page_and_can_change_nothing(browser: Browser, base_url: str,
                                                                      site: Path) -> None:  # fmt: skip
    before = files(site)
    context = browser.new_context(base_url=base_url)
    page = context.new_page()
    sign_in(page, "not-the-token")
    expect(page.get_by_role("alert")).to_have_text("That is not the library's token.")
    expect(page.locator("#documents")).to_have_count(0)
    page.goto("/library")
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    sent = context.request.post("/library/upload", multipart={"file": {"name": "fish.md", "mimeType": "text/markdown",
                                                                       "buffer": FISH.encode()}})  # fmt: skip
    assert sent.status == 401 and "sign in again" in sent.text()
    assert files(site) == before
    sign_in(page, TOKEN)
    expect(page.get_by_role("heading", name="Document library")).to_be_visible()
    expect(row(page, "vectors.md")).to_be_visible()
    context.close()


def test_an_uploaded_md_and_pdf_are_rebuilt_on_the_page_and_answered_in_the_chat(library: Page, site: Path,
                                                                                tmp_path: Path) -> None:  # fmt: skip
    upload(library, ("fish.md", FISH.encode(), "text/markdown"),
           ("bees.pdf", bees_pdf(tmp_path / "bees.pdf"), "application/pdf"))  # fmt: skip
    expect(library.locator("section.outcome .accepted")).to_have_text("Added: fish.md, bees.pdf.")
    expect(library.locator("#rebuild .why")).to_have_text("added fish.md, bees.pdf")
    panel = rebuilt(library)
    expect(panel.locator(".outcome")).to_contain_text("Now serving")
    expect(panel).to_contain_text("Added: bees.pdf, fish.md")
    version = library.locator("#version").inner_text()
    for source in ("fish.md", "bees.pdf"):
        expect(row(library, source).locator(".state-indexed")).to_have_text(version)
    assert (site / "corpus" / "fish.md").read_text() == FISH
    expect(row(library, "bees.pdf")).to_contain_text("pdf")

    library.goto("/")
    turn = ask(library, FISH_QUESTION)
    expect(turn.locator(".answer q").first).to_have_text(FISH_QUOTE)
    expect(turn.locator(".source .where a").first).to_have_text("fish.md")
    library.goto("/")  # a new conversation: the bees question is no follow-up of the fish one
    turn = ask(library, BEES_QUESTION)
    expect(turn.locator(".answer q").first).to_contain_text("position of the sun")
    expect(turn.locator(".source .where a").first).to_have_text("bees.pdf")


def test_a_removed_document_goes_to_the_trash_and_is_restored_from_it(library: Page, site: Path) -> None:
    kept = (site / "corpus" / "editing.txt").read_bytes()
    row(library, "editing.txt").get_by_role("button", name="Remove editing.txt").click()
    panel = rebuilt(library)
    expect(panel.locator(".why")).to_have_text("removed editing.txt")
    expect(panel).to_contain_text("Removed: editing.txt")
    expect(row(library, "editing.txt")).to_have_count(0)
    expect(library.locator("#trash li")).to_contain_text("editing.txt")
    assert not (site / "corpus" / "editing.txt").exists()
    assert [p.read_bytes() for p in (site / "corpus.trash").rglob("editing.txt")] == [kept]
    assert library.request.get("/sources/editing.txt").status == 404

    library.get_by_role("button", name="Restore editing.txt").click()
    panel = rebuilt(library)
    expect(panel.locator(".why")).to_have_text("restored editing.txt")
    expect(panel).to_contain_text("Added: editing.txt")
    expect(row(library, "editing.txt").locator(".state-indexed")).to_be_visible()
    expect(library.locator("#trash li")).to_have_count(0)
    assert (site / "corpus" / "editing.txt").read_bytes() == kept
    assert library.request.get("/sources/editing.txt").status == 200


def feedback_rows(site: Path, count: int) -> list[sqlite3.Row]:
    deadline = time.monotonic() + 15
    while True:
        with sqlite3.connect(database_path(site_settings(site))) as db:
            db.row_factory = sqlite3.Row
            rows = db.execute("SELECT * FROM feedback ORDER BY id").fetchall()
        if len(rows) >= count or time.monotonic() > deadline:
            return rows
        time.sleep(0.2)


def test_feedback_under_an_answer_is_stored_and_not_helpful_shows_in_the_library(library: Page, site: Path) -> None:
    library.goto("/")
    first = ask(library, ANSWERABLE)
    first.get_by_role("button", name="Helpful", exact=True).click()
    expect(first.locator(".feedback-said")).to_have_text("Thank you: your feedback was sent to the library's owners.")
    expect(first.get_by_role("button", name="Helpful", exact=True)).to_be_hidden()
    second = ask(library, "Where are vectors compared?")
    second.get_by_role("button", name="Not helpful").click()
    second.get_by_label("What was wrong or missing? (optional)").fill("It should say which vector holds the most.")
    second.get_by_role("button", name="Send").click()
    expect(second.locator(".feedback-said")).to_contain_text("your feedback was sent")

    version = library.request.get("/healthz").json()["index_version"]
    helpful, unhelpful = feedback_rows(site, 2)[-2:]
    assert (helpful["query"], helpful["helpful"], helpful["note"]) == (ANSWERABLE, 1, "")
    assert (unhelpful["query"], unhelpful["helpful"]) == ("Where are vectors compared?", 0)
    assert unhelpful["note"] == "It should say which vector holds the most."
    assert unhelpful["history"] == f'["{ANSWERABLE}"]' and helpful["index_version"] == version
    library.goto("/library")
    shows_in_time(library, library.locator("#unanswered"), "“It should say which vector holds the most.”")


def test_an_answer_the_server_rendered_is_rated_from_the_page_too(library: Page, site: Path) -> None:
    before = len(feedback_rows(site, 0))
    library.goto("/?q=" + ANSWERABLE.replace(" ", "+"))
    turn = library.locator("#conversation .turn")
    expect(turn.locator(".answer q").first).to_contain_text("Lentiviruses")
    turn.get_by_role("button", name="Helpful", exact=True).click()
    expect(turn.locator(".feedback-said")).to_contain_text("your feedback was sent")
    rows = feedback_rows(site, before + 1)
    assert len(rows) == before + 1 and rows[-1]["query"] == ANSWERABLE and rows[-1]["helpful"] == 1
    assert rows[-1]["index_version"] == library.request.get("/healthz").json()["index_version"]


def test_a_question_the_documents_dont_answer_shows_in_the_library(library: Page) -> None:
    library.goto("/")
    turn = ask(library, UNANSWERED)
    expect(turn.locator(".answer.abstained .abstain")).to_contain_text("The documents do not answer")
    library.goto("/library")
    shows_in_time(library, library.locator("#unanswered .group q"), UNANSWERED)
    group = library.locator("#unanswered .group").filter(has_text=UNANSWERED)
    expect(group.locator(".count")).to_have_text("1×")


REFUSED = [("../evil.md", b"# Evil\n\nPath tricks.\n", "text/markdown", "a file name must not hold a path"),
           ("setup.exe", b"MZ\x90\x00", "application/x-msdownload", "not a .txt, .md, .html, .pdf, .docx or .pptx file"),
           ("big.md", b"# Big\n\n" + b"Octopuses have three hearts. " * 8000, "text/markdown",
            "larger than the limit of 200,000 bytes"),
           ("copy of vectors.md", (DATA / "vectors.md").read_bytes(), "text/markdown",
            "a duplicate of vectors.md (the same content)")]  # fmt: skip


@pytest.mark.parametrize(("name", "content", "kind", "says"), REFUSED, ids=["path", "exe", "too-large", "duplicate"])
def test_a_refused_file_says_why_on_the_page_and_changes_nothing(library: Page, site: Path, name: str,
                                                                 content: bytes, kind: str, says: str) -> None:  # fmt: skip
    before = files(site)
    upload(library, (name, content, kind))
    rejected = library.locator("section.outcome .rejected li")
    expect(rejected).to_have_count(1)
    expect(rejected).to_contain_text(f"{name}: {says}")
    expect(rejected).to_contain_text("Nothing was stored.")
    expect(library.locator("section.outcome .accepted")).to_have_count(0)
    assert files(site) == before


def test_an_upload_without_the_csrf_token_says_so_and_changes_nothing(library: Page, site: Path) -> None:
    before = files(site)
    library.locator("#upload input[name=csrf]").evaluate("field => field.remove()")
    upload(library, ("octopus.md", b"# Octopus\n\nOctopuses have three hearts.\n", "text/markdown"))
    expect(library.locator(".error.banner")).to_contain_text(
        "The form's security token is missing or wrong: reload the page and try again")
    expect(library.locator("section.outcome")).to_have_count(0)
    assert files(site) == before
