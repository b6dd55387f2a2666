"""Read a corpus folder: every .txt, .md, .html and .pdf below it, as documents with their blocks."""

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pypdf import PdfReader

from ingest.markup import html_blocks, markdown_blocks
from ingest.plain import plain_blocks
from ingest.units import Block, Document

FORMATS = {".txt": "txt", ".md": "md", ".markdown": "md", ".html": "html", ".htm": "html", ".pdf": "pdf"}
PAGE_BREAK = "\n\n"


class CorpusError(ValueError):
    """The corpus folder cannot be used; the message says why and what to do."""


@dataclass(frozen=True, slots=True)
class Loaded:
    document: Document
    blocks: list[Block]


@dataclass(slots=True)
class Corpus:
    loaded: list[Loaded] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # one line per file not indexed, naming it and why


def read_document(path: Path, doc_id: str) -> Loaded:
    """One file as a document. Raises UnicodeDecodeError or a parser's error when it can't be read."""
    fmt = FORMATS[path.suffix.lower()]
    if fmt == "pdf":
        return _read_pdf(path, doc_id)
    text = path.read_bytes().decode("utf-8")
    if fmt == "html":
        text, blocks = html_blocks(doc_id, text)
        return Loaded(Document(doc_id, text, fmt), blocks)
    blocks = markdown_blocks(doc_id, text) if fmt == "md" else plain_blocks(doc_id, text)
    return Loaded(Document(doc_id, text, fmt), blocks)


def _read_pdf(path: Path, doc_id: str) -> Loaded:
    pages = [page.extract_text() or "" for page in PdfReader(path).pages]
    text = PAGE_BREAK.join(pages)
    blocks, cursor = [], 0
    for number, page_text in enumerate(pages, start=1):
        end = cursor + len(page_text)
        blocks += plain_blocks(doc_id, text, cursor, end, page=number, titles=False)
        cursor = end + len(PAGE_BREAK)
    return Loaded(Document(doc_id, text, "pdf"), blocks)


def corpus_files(root: Path) -> Iterator[tuple[Path, str]]:
    for path in sorted(root.rglob("*")):
        if path.is_file() and not any(part.startswith(".") for part in path.relative_to(root).parts):
            yield path, path.relative_to(root).as_posix()


def load_file(path: Path, doc_id: str) -> Loaded | str:
    """One corpus file as a document, or the one-line note saying why it was skipped."""
    if path.suffix.lower() not in FORMATS:
        return f"{doc_id}: skipped, not a .txt, .md, .html or .pdf file"
    try:
        loaded = read_document(path, doc_id)
    except UnicodeDecodeError as error:
        return f"{doc_id}: skipped, not valid UTF-8 ({error.reason} at byte {error.start})"
    except Exception as error:  # noqa: BLE001 - any parser failure skips just this file
        return f"{doc_id}: skipped, could not be parsed ({type(error).__name__}: {error})"
    return loaded if loaded.blocks else f"{doc_id}: skipped, no text found"


def check_corpus(root: Path) -> None:
    if not root.is_dir():
        raise CorpusError(f"corpus folder {root} does not exist: create it and put documents in it")


def no_documents(root: Path) -> CorpusError:
    return CorpusError(f"corpus folder {root} holds no readable .txt, .md, .html or .pdf document")


def load_corpus(root: Path) -> Corpus:
    """Every readable document under root; files of other kinds or that fail to read are listed as skipped."""
    check_corpus(root)
    corpus = Corpus()
    for path, doc_id in corpus_files(root):
        loaded = load_file(path, doc_id)
        if isinstance(loaded, str):
            corpus.skipped.append(loaded)
        else:
            corpus.loaded.append(loaded)
    if not corpus.loaded:
        raise no_documents(root)
    return corpus
