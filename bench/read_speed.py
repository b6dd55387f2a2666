"""How fast documents are read: pages a second for PDFs as laid out, and documents a second for Word and web pages.

    python bench/read_speed.py [--repeat 3]
Renders the five SQuAD articles (bench/squad.py) as two-column hyphenated PDFs, .docx and web pages
(bench/render.py), then reads each file with the product's reader, best of --repeat runs.
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

import pypdfium2 as pdfium

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).parent))
from formats import read_articles
from render import write_docx, write_html, write_pdf
from squad import convert

from ingest.load import read_document

SQUAD = Path(__file__).resolve().parents[2] / "shared" / "external" / "squad2-dev-5-articles.json"


def timed(paths: list[Path], repeat: int) -> float:
    """The best time, over repeat runs, to read every file."""
    best = float("inf")
    for _ in range(repeat):
        began = time.perf_counter()
        for path in paths:
            read_document(path, path.name)
        best = min(best, time.perf_counter() - began)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    repeat = parser.parse_args().repeat
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        convert(SQUAD, out / "squad")
        articles = read_articles(out / "squad" / "corpus")
        for suffix, write in ((".pdf", write_pdf), (".docx", write_docx), (".html", write_html)):
            paths = [out / f"{a.name}{suffix}" for a in articles]
            for article, path in zip(articles, paths, strict=True):
                write(article, path)
            seconds = timed(paths, repeat)
            if suffix == ".pdf":
                pages = sum(len(pdfium.PdfDocument(p)) for p in paths)
                print(f"pdf: {pages} pages in {seconds:.2f} s = {pages / seconds:.1f} pages/s")
            else:
                size = sum(p.stat().st_size for p in paths) / 1e6
                print(f"{suffix[1:]}: {len(paths)} files ({size:.1f} MB) in {seconds:.2f} s "
                      f"= {len(paths) / seconds:.1f} files/s")  # fmt: skip


if __name__ == "__main__":
    main()
