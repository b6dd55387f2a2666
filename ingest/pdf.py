"""PDF documents (interim: page text by pypdf; to be replaced by the layout reader)."""

from pathlib import Path

from pypdf import PdfReader

from ingest.plain import plain_blocks
from ingest.units import Document, Limits, Loaded

PAGE_BREAK = "\n\n"


def read_pdf(path: Path, doc_id: str, limits: Limits) -> Loaded:
    pages = [page.extract_text() or "" for page in PdfReader(path).pages]
    text = PAGE_BREAK.join(pages)
    blocks, cursor = [], 0
    for number, page_text in enumerate(pages, start=1):
        end = cursor + len(page_text)
        blocks += plain_blocks(doc_id, text, cursor, end, page=number, titles=False)
        cursor = end + len(PAGE_BREAK)
    return Loaded(Document(doc_id, text, "pdf"), blocks)
