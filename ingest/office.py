"""Word (.docx) and PowerPoint (.pptx) documents: their text as read, with headings or slide titles as sections."""

from pathlib import Path

from ingest.units import Limits, Loaded


def read_docx(path: Path, doc_id: str, limits: Limits) -> Loaded:
    raise NotImplementedError


def read_pptx(path: Path, doc_id: str, limits: Limits) -> Loaded:
    raise NotImplementedError
