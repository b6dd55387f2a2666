"""The document viewer: a PDF's page as it looks with the quote's lines marked, the text view for every format."""

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from index.embed import Embedder
from server.engine import build
from server.settings import Settings
from server.web.app import create_app
from tests.conftest import PDF_PAGES, write_pdf


@pytest.fixture(scope="module")
def viewer(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Iterator[tuple[TestClient, Path]]:
    """An index of its own: one test changes the PDF on disk."""
    root = tmp_path_factory.mktemp("viewer")
    (root / "corpus" / "reports").mkdir(parents=True)
    write_pdf(root / "corpus" / "reports" / "manufacturing.pdf", PDF_PAGES)
    shutil.copy(Path(__file__).parents[1] / "data" / "editing.txt", root / "corpus" / "editing.txt")
    settings = Settings(corpus=root / "corpus", index=root / "index")
    build(settings, embedder=embedder)
    with TestClient(create_app(settings, embedder)) as client:
        yield client, root / "corpus"


def quote_of(client: TestClient, question: str) -> tuple[dict, dict]:
    answer = client.post("/ask", json={"question": question}).json()
    return answer["sentences"][0], answer["citations"][0]


def test_pdf_citation_opens_its_page_with_the_quoted_line_marked(viewer: tuple[TestClient, Path]) -> None:
    client, _ = viewer
    sentence, citation = quote_of(client, "How long can manufacturing one batch take?")
    assert citation["source"] == "reports/manufacturing.pdf" and citation["page"] == 2
    page = client.get(f"/sources/reports/manufacturing.pdf?start={sentence['start']}&end={sentence['end']}")
    assert page.status_code == 200
    assert 'href="/page-images/2/reports/manufacturing.pdf"' in page.text
    assert page.text.count('class="highlight"') == 1  # the sentence is one line of the page
    assert "view=text" in page.text and sentence["text"] in page.text


def test_page_image_is_the_rendered_page(viewer: tuple[TestClient, Path]) -> None:
    client, _ = viewer
    image = client.get("/page-images/2/reports/manufacturing.pdf")
    assert image.status_code == 200 and image.headers["content-type"] == "image/png"
    assert image.content.startswith(b"\x89PNG") and len(image.content) > 2000


@pytest.mark.parametrize("path", ["/page-images/3/reports/manufacturing.pdf", "/page-images/1/editing.txt",
                                  "/page-images/1/..%2F..%2Fetc%2Fpasswd", "/page-images/1/nope.pdf"])  # fmt: skip
def test_page_image_of_anything_else_is_404(viewer: tuple[TestClient, Path], path: str) -> None:
    assert viewer[0].get(path).status_code == 404


def test_text_view_marks_the_quote_and_shows_its_section(viewer: tuple[TestClient, Path]) -> None:
    client, _ = viewer
    sentence, _ = quote_of(client, "How long can manufacturing one batch take?")
    text = client.get(f"/sources/reports/manufacturing.pdf?start={sentence['start']}&end={sentence['end']}&view=text")
    assert text.status_code == 200 and f'tabindex="-1">{sentence["text"]}</mark>' in text.text
    assert '<span class="section">Costs</span>' in text.text


def test_a_changed_file_is_shown_as_read_not_as_it_is_now(viewer: tuple[TestClient, Path]) -> None:
    client, corpus = viewer
    write_pdf(corpus / "reports" / "manufacturing.pdf", [["Another document entirely."]])
    page = client.get("/sources/reports/manufacturing.pdf?start=0&end=10")
    assert page.status_code == 200 and "<mark" in page.text and "has changed since it was indexed" in page.text
    assert client.get("/page-images/1/reports/manufacturing.pdf").status_code == 404
