"""What a document's format costs: the SQuAD articles as plain text, PDF, Word, text export and web pages, each indexed
and asked every question.

    python bench/formats.py [--formats pdf,docx] [--keep]
(plain text always runs too: it is the baseline of the deltas; --keep reuses the renderings and indexes already built
under bench/out/formats/)
"""

import argparse
import re
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from render import BOILERPLATE, PAGE_NUMBERS, PAGE_ONLY, RENDERERS, Article, pdf_hyphens
from squad import convert

from index.embed import Embedder
from ingest.load import CorpusError, corpus_files, load_file
from server.engine import build, limits, open_qa
from server.evaluate import Question, metrics, read_questions, run
from server.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT.parent / "shared/external/squad2-dev-5-articles.json"
OUT = ROOT / "bench/out/formats"
SHORT = 3  # a quoted "sentence" of at most this many words is a layout fragment


@dataclass
class Result:
    fmt: str
    metrics: dict | None = None  # None: no file of this format could be read
    quoted: list[str] = field(default_factory=list)  # every sentence quoted, over all answers
    notes: list[str] = field(default_factory=list)  # skip notes
    info: str = ""


def read_articles(corpus: Path) -> list[Article]:
    """The converted .txt files back as articles: title line, blank line, paragraphs split by blank lines."""
    articles = []
    for path in sorted(corpus.glob("*.txt")):
        title, _, body = path.read_text(encoding="utf-8").partition("\n\n")
        articles.append(Article(path.stem, title.strip(), tuple(body.strip().split("\n\n"))))
    return articles


def render(fmt: str, articles: list[Article], folder: Path, keep: bool) -> None:
    """Write one file per article under folder/corpus, from scratch (its index too) unless kept."""
    corpus = folder / "corpus"
    if keep and corpus.is_dir() and any(corpus.iterdir()):
        return
    shutil.rmtree(folder, ignore_errors=True)
    corpus.mkdir(parents=True)
    suffix, write = RENDERERS[fmt]
    for article in articles:
        write(article, corpus / f"{article.name}{suffix}")


def check_pdf(corpus: Path, articles: list[Article]) -> str:
    """How many words the PDFs break at a line end with a hyphen (the renderer's hyphenation, seen by pypdf)."""
    source = {a.name: a.title + "\n" + "\n".join(a.paragraphs) for a in articles}
    broken = sum(pdf_hyphens(corpus / f"{name}.pdf", text) for name, text in source.items())
    return f"{broken} words hyphenated at line ends"


def evaluate(fmt: str, folder: Path, embedder: Embedder, questions: list[Question]) -> Result:
    """Build the format's index, ask every question, keep the metrics and the quoted sentences."""
    settings = Settings(corpus=folder / "corpus", index=folder / "index")
    began = time.perf_counter()
    try:
        report = build(settings, embedder=embedder)
    except CorpusError:
        notes = [load_file(path, doc_id, limits(settings)) for path, doc_id in corpus_files(settings.corpus)]
        return Result(fmt, notes=[n for n in notes if isinstance(n, str)])
    built = time.perf_counter() - began
    qa = open_qa(settings, embedder)
    answers, latencies = run(qa, questions)
    info = (f"{report.documents} documents, {report.passages} passages, {report.sentences} sentences; "
            f"built in {built:.0f} s, {len(questions)} questions in {sum(latencies):.0f} s")  # fmt: skip
    quoted = [s.text for a in answers for s in a.sentences]
    return Result(
        fmt, metrics(questions, answers, qa.store.documents, latencies), quoted, report.skipped, info
    )


def markers(fmt: str, source: str) -> tuple[str, ...]:
    """The format's injected strings that the articles never write themselves (so finding one means boilerplate)."""
    return tuple(s for s in BOILERPLATE[fmt] if s not in source)


def is_boilerplate(text: str, strings: tuple[str, ...], pattern: re.Pattern | None) -> bool:
    text = " ".join(text.split())
    return (
        any(s in text for s in strings)
        or bool(pattern and pattern.search(text))
        or bool(PAGE_ONLY.fullmatch(text))
    )


def _delta(value: float, base: float) -> str:
    return f"{value - base:+.3f}"


HEAD = ("format", "hit@1", "Δhit@1", "hit", "Δhit", "false_abst", "near_miss_abst", "verbatim", "quoted",
        "boilerplate", f"≤{SHORT} words")  # fmt: skip


def row(result: Result, base: dict, source: str) -> tuple[str, ...]:
    m = result.metrics
    if m is None:
        return (result.fmt, "not readable")
    strings, pattern = markers(result.fmt, source), PAGE_NUMBERS.get(result.fmt)
    boiler = sum(is_boilerplate(t, strings, pattern) for t in result.quoted)
    short = sum(len(t.split()) <= SHORT for t in result.quoted) / max(1, len(result.quoted))
    return (result.fmt, f"{m['hit@1']:.3f}", _delta(m["hit@1"], base["hit@1"]), f"{m['hit']:.3f}",
            _delta(m["hit"], base["hit"]), f"{m['false_abstain']:.3f}", f"{m['near_miss_abstain']:.3f}",
            f"{m['verbatim']:.3f}", str(len(result.quoted)), str(boiler), f"{short:.3f}")  # fmt: skip


def print_table(results: list[Result], source: str) -> None:
    rows = [HEAD] + [row(r, results[0].metrics, source) for r in results]
    widths = [max(len(r[i]) for r in rows if i < len(r)) for i in range(len(HEAD))]
    for r in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(r, widths, strict=False)).rstrip())


def print_examples(results: list[Result], source: str, count: int = 3) -> None:
    """A few of each format's quoted boilerplate sentences, to see what leaked."""
    for result in results:
        strings, pattern = markers(result.fmt, source), PAGE_NUMBERS.get(result.fmt)
        leaked = list(dict.fromkeys(t for t in result.quoted if is_boilerplate(t, strings, pattern)))
        for text in leaked[:count]:
            print(f"  {result.fmt} quoted boilerplate: {' '.join(text.split())[:140]!r}")


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--formats", default=",".join(RENDERERS), help=f"comma-separated, of {', '.join(RENDERERS)}"
    )
    parser.add_argument("--keep", action="store_true", help="reuse the renderings and indexes already built")
    args = parser.parse_args()
    args.formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    unknown = [f for f in args.formats if f not in RENDERERS]
    if unknown:
        parser.error(f"unknown format(s) {', '.join(unknown)}: choose from {', '.join(RENDERERS)}")
    return args


def main() -> None:
    args = arguments()
    formats = ["plain", *(f for f in args.formats if f != "plain")]
    convert(SOURCE, OUT / "source")
    articles = read_articles(OUT / "source/corpus")
    questions = read_questions(OUT / "source/questions.jsonl")
    source = "\n".join(a.title + "\n" + "\n".join(a.paragraphs) for a in articles)
    embedder = Embedder(Settings().model, cache_size=10_000)  # questions are encoded once for all formats
    results = []
    for fmt in formats:
        render(fmt, articles, OUT / fmt, args.keep)
        result = evaluate(fmt, OUT / fmt, embedder, questions)
        if fmt == "pdf":
            result.info += "; " + check_pdf(OUT / fmt / "corpus", articles)
        print(f"{fmt}: {result.info or 'not readable'}", flush=True)
        for note in result.notes:
            print(f"  {note}")
        results.append(result)
    print()
    print_table(results, source)
    print_examples(results, source)


if __name__ == "__main__":
    main()
