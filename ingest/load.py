"""Read a corpus folder: every document of a known format below it, as documents with their blocks."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ingest.markup import html_blocks, markdown_blocks
from ingest.office import read_docx, read_pptx
from ingest.pdf import read_pdf
from ingest.plain import plain_blocks
from ingest.units import NO_LIMITS_SET, Document, Limits, Loaded, Unreadable

FORMATS = {".txt": "txt", ".md": "md", ".markdown": "md", ".html": "html", ".htm": "html", ".pdf": "pdf",
           ".docx": "docx", ".pptx": "pptx"}  # fmt: skip
KNOWN = ".txt, .md, .html, .pdf, .docx or .pptx"


class CorpusError(ValueError):
    """The corpus folder cannot be used; the message says why and what to do."""


@dataclass(slots=True)
class Corpus:
    loaded: list[Loaded] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # one line per file not indexed, naming it and why


def _read_text(path: Path, doc_id: str, fmt: str) -> Loaded:
    text = path.read_bytes().decode("utf-8")
    if fmt == "html":
        text, blocks = html_blocks(doc_id, text)
        return Loaded(Document(doc_id, text, fmt), blocks)
    blocks = markdown_blocks(doc_id, text) if fmt == "md" else plain_blocks(doc_id, text)
    return Loaded(Document(doc_id, text, fmt), blocks)


READERS: dict[str, Callable[[Path, str, Limits], Loaded]] = {"pdf": read_pdf, "docx": read_docx, "pptx": read_pptx}


def read_document(path: Path, doc_id: str, limits: Limits = NO_LIMITS_SET) -> Loaded:
    """One file as a document. Raises Unreadable (the reason), UnicodeDecodeError or a parser's error."""
    fmt = FORMATS[path.suffix.lower()]
    size = path.stat().st_size
    if size > limits.max_bytes:
        raise Unreadable(f"larger than the limit ({size:,} bytes, at most {limits.max_bytes:,})")
    if fmt in READERS:
        return READERS[fmt](path, doc_id, limits)
    return _read_text(path, doc_id, fmt)


def corpus_files(root: Path) -> Iterator[tuple[Path, str]]:
    for path in sorted(root.rglob("*")):
        if path.is_file() and not any(part.startswith(".") for part in path.relative_to(root).parts):
            yield path, path.relative_to(root).as_posix()


def load_file(path: Path, doc_id: str, limits: Limits = NO_LIMITS_SET) -> Loaded | str:
    """One corpus file as a document, or the one-line note saying why it was skipped."""
    if path.suffix.lower() not in FORMATS:
        return f"{doc_id}: skipped, not a {KNOWN} file"
    try:
        loaded = read_document(path, doc_id, limits)
    except Unreadable as error:
        return f"{doc_id}: skipped, {error}"
    except UnicodeDecodeError as error:
        return f"{doc_id}: skipped, not valid UTF-8 ({error.reason} at byte {error.start})"
    except Exception as error:  # noqa: BLE001 - any parser failure skips just this file
        return f"{doc_id}: skipped, could not be parsed ({type(error).__name__}: {error})"
    return loaded if loaded.blocks else f"{doc_id}: skipped, no text found"


def check_corpus(root: Path) -> None:
    if not root.is_dir():
        raise CorpusError(f"corpus folder {root} does not exist: create it and put documents in it")


def no_documents(root: Path) -> CorpusError:
    return CorpusError(f"corpus folder {root} holds no readable {KNOWN} document")


def load_corpus(root: Path, limits: Limits = NO_LIMITS_SET) -> Corpus:
    """Every readable document under root; files of other kinds or that fail to read are listed as skipped."""
    check_corpus(root)
    corpus = Corpus()
    for path, doc_id in corpus_files(root):
        loaded = load_file(path, doc_id, limits)
        if isinstance(loaded, str):
            corpus.skipped.append(loaded)
        else:
            corpus.loaded.append(loaded)
    if not corpus.loaded:
        raise no_documents(root)
    return corpus
