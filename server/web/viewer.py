"""The document viewer's page view: a PDF page rendered as it looks, with the quoted lines highlighted on it."""

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from index.store import Store
from ingest.pdf import page_sizes, render_page


@dataclass(frozen=True, slots=True)
class Mark:
    """A highlighted stretch of one line, in points from the page's top-left."""

    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True, slots=True)
class PageView:
    number: int
    width: float
    height: float
    marks: list[Mark]


@lru_cache(maxsize=256)
def _sha256(path: str, mtime_ns: int, size: int) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def indexed_file(store: Store, corpus: Path, source: str) -> Path | None:
    """The corpus file of an indexed document, when it is still the file that was indexed (else None): a page is
    shown only as it was read."""
    wanted = store.manifest.get("documents", {}).get(source, {}).get("sha256")
    root = corpus.resolve()
    path = (root / source).resolve()
    if wanted is None or not path.is_relative_to(root) or not path.is_file():
        return None
    stat = path.stat()
    return path if _sha256(str(path), stat.st_mtime_ns, stat.st_size) == wanted else None


def marks(layout: list, start: int, end: int) -> dict[int, list[Mark]]:
    """The stretches of the lines that text[start:end] covers, by page. Where a quote starts or ends inside a line,
    the stretch is the line's share of characters (the layout keeps lines' boxes, not each character's)."""
    found: dict[int, list[Mark]] = {}
    for first, last, page, x0, top, x1, bottom in layout:
        if last <= start or first >= end:
            continue
        span = max(last - first, 1)
        left = x0 + (x1 - x0) * (max(first, start) - first) / span
        right = x0 + (x1 - x0) * (min(last, end) - first) / span
        found.setdefault(page, []).append(Mark(round(left, 1), top, round(right - left, 1), round(bottom - top, 1)))
    return found


def page_views(path: Path, layout: list, start: int, end: int) -> list[PageView]:
    """The pages a quote stands on (the first page, when the span is empty), with its lines marked."""
    sizes = page_sizes(path)
    by_page = marks(layout, start, max(end, start + 1))
    numbers = sorted(by_page) or [1]
    return [PageView(n, *sizes[n - 1], by_page.get(n, [])) for n in numbers if n <= len(sizes)]


@lru_cache(maxsize=48)
def page_png(path: str, sha256: str, page: int) -> bytes:
    """A rendered page, remembered by the file's hash: the same page is drawn once."""
    return render_page(Path(path), page)
