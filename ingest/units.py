"""The units text is split into; each knows exactly where it lies in its document's text."""

import bisect
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Document:
    doc_id: str  # path under the corpus, POSIX, stable across rebuilds
    text: str  # the text as read; every offset below points into it
    format: str  # "txt", "md", "html", "pdf", "docx" or "pptx"
    pages: int | None = None  # pages (a PDF's) or slides (a presentation's); None for formats without pages
    layout: tuple["LineBox", ...] = field(default=(), compare=False)  # where a PDF's text lines stand on its pages


@dataclass(frozen=True, slots=True)
class LineBox:
    """One line of a laid-out page: its span in Document.text and its box in PDF points, from the page's top."""

    start: int
    end: int
    page: int  # 1-based
    x0: float
    top: float
    x1: float
    bottom: float


def page_at(layout: tuple[LineBox, ...], offset: int, default: int | None = None) -> int | None:
    """The page of the line holding a text offset (or of the next line after it), in a laid-out document."""
    found = bisect.bisect_right(layout, offset, key=lambda box: box.end)
    return layout[found].page if found < len(layout) else default


@dataclass(frozen=True, slots=True)
class Limits:
    """What one file may cost to read; a file past a limit is skipped with a note saying which."""

    max_bytes: int = 50_000_000  # the file itself
    max_unpacked_bytes: int = 200_000_000  # what a zip-based file (.docx, .pptx) unpacks to
    max_seconds: float = 60.0  # reading it, checked between pages and parts


NO_LIMITS_SET = Limits()  # the defaults, for callers that set none
# The numbers of the references a paper sets as superscripts after a sentence's full stop, as written out
# ("... than placebo.13,14"): the sentence ends after them.
CITED_NUMBERS = r"(?<=[^\W\d_)][.!?])\d{1,3}(?:[,–-]\d{1,3})*"
# A heading set in larger type than the body's is at least this many times its size (PDF lines, Word paragraphs).
HEADING_TYPE = 1.15


class Unreadable(ValueError):
    """A file that is not read; the message is the reason, for the one-line note naming the file."""


@dataclass(frozen=True, slots=True)
class Block:
    """A structural unit as written: a paragraph, a list item, a table row or a heading."""

    doc_id: str
    start: int
    end: int
    kind: str  # "paragraph", "item", "row"
    section: tuple[str, ...] = ()
    page: int | None = None
    header: str | None = None  # a table row's header row, for retrieval only


@dataclass(frozen=True, slots=True)
class Sentence:
    doc_id: str
    start: int  # invariant: document.text[start:end] == text
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Loaded:
    document: Document
    blocks: list[Block]


@dataclass(frozen=True, slots=True)
class Passage:
    """The retrieval unit: consecutive sentences of one block, with where they sit in the document."""

    doc_id: str
    start: int  # invariant: document.text[start:end] == text
    end: int
    text: str
    sentences: tuple[Sentence, ...]
    section: tuple[str, ...] = ()
    page: int | None = None
    header: str | None = None
    kind: str = "paragraph"
    context: str = field(default="", compare=False)  # what retrieval embeds besides the text

    @property
    def trail(self) -> str:
        """The section trail as shown: the headings above the passage joined by " > " ("" where there are none)."""
        return " > ".join(part for part in self.section if part)
