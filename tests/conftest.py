"""Shared fixtures: the real bundled model, and one real index over tests/data (plus a generated PDF)."""

import shutil
from pathlib import Path

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from index.build import BuildReport
from index.embed import Embedder
from server.answer.qa import QA
from server.engine import build, open_qa
from server.settings import Settings

DATA = Path(__file__).parent / "data"
PDF_PAGES = [
    ["Manufacturing gene therapies", "Viral vectors are grown in living cells inside bioreactors.",
     "Each batch is tested for purity before release."],
    ["Costs", "Manufacturing one batch can take several months.",
     "Scaling up production is one of the main reasons for high prices."],
]  # fmt: skip


def write_pdf(path: Path, pages: list[list[str]]) -> None:
    pdf = canvas.Canvas(str(path), pagesize=A4)
    for lines in pages:
        for row, line in enumerate(lines):
            pdf.drawString(72, 760 - 20 * row, line)
        pdf.showPage()
    pdf.save()


def make_corpus(folder: Path) -> Path:
    shutil.copytree(DATA, folder)
    (folder / "reports").mkdir()
    write_pdf(folder / "reports" / "manufacturing.pdf", PDF_PAGES)
    return folder


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    return Embedder()


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    root = tmp_path_factory.mktemp("verbatim")
    return Settings(corpus=make_corpus(root / "corpus"), index=root / "index")


@pytest.fixture(scope="session")
def built(settings: Settings, embedder: Embedder) -> BuildReport:
    return build(settings, embedder=embedder)


@pytest.fixture(scope="session")
def qa(settings: Settings, embedder: Embedder, built: BuildReport) -> QA:
    return open_qa(settings, embedder)
