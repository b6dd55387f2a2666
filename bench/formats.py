"""Answers per document format on the SQuAD articles, or on the gene-therapy article and its dev questions:

    python bench/formats.py [--formats pdf,docx] [--keep] [--source gene-therapy]"""

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
from server.answer.evaluate import Question, metrics, read_questions, run
from server.answer.qa import Answer
from server.engine import build, limits, open_qa
from server.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT.parent / "shared/external/squad2-dev-5-articles.json"
GENE_THERAPY = (ROOT / "corpus/gene-therapy.txt", ROOT.parent / "shared/eval/dev.jsonl")
OUT = ROOT / "bench/out/formats"
SHORT = 3  # a quoted "sentence" of at most this many words is a layout fragment


@dataclass
class Result:
    fmt: str
    metrics: dict | None = None  # None: no file of this format could be read
    quoted: list[str] = field(default_factory=list)  # every sentence quoted, over all answers
    notes: list[str] = field(default_factory=list)  # skip notes
    info: str = ""


class BatchEmbedder(Embedder):
    """The engine's embedder told the questions up front: encoded in batches, ~10x faster than one by one."""

    def remember(self, texts: list[str]) -> None:
        for text, vector in zip(texts, self.encode(texts), strict=True):
            self._cache[text] = vector


def read_articles(corpus: Path) -> list[Article]:
    """The converted .txt files back as articles: title line, blank line, paragraphs split by blank lines."""
    articles = []
    for path in sorted(corpus.glob("*.txt")):
        title, _, body = path.read_text(encoding="utf-8").partition("\n\n")
        articles.append(Article(path.stem, title.strip(), tuple(body.strip().split("\n\n"))))
    return articles


def gene_therapy() -> tuple[list[Article], list[Question]]:
    """The gene-therapy article (a paragraph or a table line per line, under its own title) and its dev questions."""
    text, questions = GENE_THERAPY
    lines = [line.strip() for line in text.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [Article("gene-therapy", "Gene therapy", tuple(lines))], read_questions(questions)


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
    """How many words the PDFs break at a line end with a hyphen (the hyphenation, as pypdf reads it)."""
    source = {a.name: a.title + "\n" + "\n".join(a.paragraphs) for a in articles}
    broken = sum(pdf_hyphens(corpus / f"{name}.pdf", text) for name, text in source.items())
    return f"{broken} words hyphenated at line ends"


def evaluate(fmt: str, folder: Path, embedder: Embedder, questions: list[Question], source: str) -> Result:
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
    info += "; " + kept(fmt, qa.store.documents, source)
    quoted = [s.text for a in answers for s in a.sentences]
    measured = metrics(questions, answers, qa.store.documents, latencies)
    measured["hit@1~"], measured["hit~"] = loose_hits(questions, answers)
    return Result(fmt, measured, quoted, report.skipped, info)


def _squash(text: str) -> str:
    return " ".join(text.split())


def loose_hits(questions: list[Question], answers: list[Answer]) -> tuple[float, float]:
    """hit@1 and hit with any run of whitespace read as one space (a wrapped line still holds its gold)."""
    asked = [(q, a) for q, a in zip(questions, answers, strict=True) if q.kind == "answerable"]
    texts = [[_squash(s.text) for s in a.sentences] if a.answered else [] for _, a in asked]
    hit1 = [
        bool(t) and any(_squash(g) in t[0] for g in q.gold) for (q, _), t in zip(asked, texts, strict=True)
    ]
    hit = [any(_squash(g) in x for g in q.gold for x in t) for (q, _), t in zip(asked, texts, strict=True)]
    return sum(hit1) / len(asked), sum(hit) / len(asked)


def markers(fmt: str, source: str) -> tuple[str, ...]:
    """The format's injected strings that the articles never write (finding one means boilerplate)."""
    return tuple(s for s in BOILERPLATE[fmt] if s not in source)


def kept(fmt: str, documents: dict[str, str], source: str) -> str:
    """Which injected strings the reader kept in the documents' text (each counted alone)."""
    counts = {s: sum(t.count(s) for t in documents.values()) for s in markers(fmt, source)}
    if pattern := PAGE_NUMBERS.get(fmt):
        counts["page numbers"] = sum(len(pattern.findall(t)) for t in documents.values())
    found = [f"{s!r} x{n}" for s, n in counts.items() if n]
    return "read text keeps " + (", ".join(found) if found else "no boilerplate")


def is_boilerplate(text: str, strings: tuple[str, ...], pattern: re.Pattern | None) -> bool:
    text = _squash(text)
    return (
        any(s in text for s in strings)
        or bool(pattern and pattern.search(text))
        or bool(PAGE_ONLY.fullmatch(text))
    )


def _delta(value: float, base: float) -> str:
    return f"{value - base:+.3f}"


HEAD = ("format", "hit@1", "Δhit@1", "hit", "Δhit", "hit@1~", "hit~", "false_abst", "near_miss_abst",
        "verbatim", "quoted", "boilerplate", f"≤{SHORT} words")  # fmt: skip


def row(result: Result, base: dict, source: str) -> tuple[str, ...]:
    m = result.metrics
    if m is None:
        return (result.fmt, "not readable")
    strings, pattern = markers(result.fmt, source), PAGE_NUMBERS.get(result.fmt)
    boiler = sum(is_boilerplate(t, strings, pattern) for t in result.quoted)
    short = sum(len(t.split()) <= SHORT for t in result.quoted) / max(1, len(result.quoted))
    shares = [f"{m[k]:.3f}" for k in ("hit@1~", "hit~", "false_abstain", "near_miss_abstain", "verbatim")]
    hits = [
        f"{m['hit@1']:.3f}",
        _delta(m["hit@1"], base["hit@1"]),
        f"{m['hit']:.3f}",
        _delta(m["hit"], base["hit"]),
    ]
    return (result.fmt, *hits, *shares, str(len(result.quoted)), str(boiler), f"{short:.3f}")


def print_table(results: list[Result], source: str) -> None:
    rows = [HEAD] + [row(r, results[0].metrics, source) for r in results]
    widths = [max(len(r[i]) for r in rows if len(r) == len(HEAD)) for i in range(len(HEAD))]
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
    parser = argparse.ArgumentParser(
        description=__doc__, epilog="plain text always runs: it is the deltas' baseline"
    )
    parser.add_argument(
        "--formats", default=",".join(RENDERERS), help=f"comma-separated, of {', '.join(RENDERERS)}"
    )
    parser.add_argument("--keep", action="store_true", help="reuse the renderings and indexes already built")
    parser.add_argument("--source", choices=("squad", "gene-therapy"), default="squad", help="the articles asked")
    args = parser.parse_args()
    args.formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    unknown = [f for f in args.formats if f not in RENDERERS]
    if unknown:
        parser.error(f"unknown format(s) {', '.join(unknown)}: choose from {', '.join(RENDERERS)}")
    return args


def main() -> None:
    args = arguments()
    formats = ["plain", *(f for f in args.formats if f != "plain")]
    out = OUT if args.source == "squad" else OUT.with_name(f"formats-{args.source}")
    if args.source == "squad":
        convert(SOURCE, out / "source")
        articles, questions = read_articles(out / "source/corpus"), read_questions(out / "source/questions.jsonl")
    else:
        articles, questions = gene_therapy()
    source = "\n".join(a.title + "\n" + "\n".join(a.paragraphs) for a in articles)
    embedder = BatchEmbedder(Settings().model, cache_size=10_000)  # shared: questions are encoded once
    embedder.remember(list(dict.fromkeys(q.question.strip() for q in questions)))
    results = []
    for fmt in formats:
        render(fmt, articles, out / fmt, args.keep)
        result = evaluate(fmt, out / fmt, embedder, questions, source)
        if fmt == "pdf":
            result.info += "; " + check_pdf(out / fmt / "corpus", articles)
        print(f"{fmt}: {result.info or 'not readable'}", flush=True)
        for note in result.notes:
            print(f"  {note}")
        results.append(result)
    print()
    print_table(results, source)
    print_examples(results, source)


if __name__ == "__main__":
    main()
