"""Verbatim as the corpus grows: build, disk, server memory, search and answer latency at 10 k, 100 k, 1 M passages.

    .venv/bin/pip install -e '.[bench]'     # matplotlib, for the plot
    python bench/scale.py [--sizes 10000,100000,1000000] [--plot docs/scale.png] [--keep bench/out/scale]
    python bench/scale.py --serve bench/out/scale/index-1000000    # serve a kept index again: the server's figures

The passages are synthetic: real sentences of the SQuAD articles and the gene-therapy text, recombined three at a
time into paragraphs of documents of 100 paragraphs each. Their vectors are built from real MiniLM embeddings, not
by running the model over every text (about 75 texts a second on 2 cores: 1 M passages and their 3 M sentences
would take some 15 hours, so the embedding throughput is reported separately): a sentence's vector is its real
embedding plus small Gaussian noise (sigma 0.005 per dimension), renormalized; a passage's is the renormalized mean
of its three sentences' vectors. Everything else is the product's own code: `write_index` writes the version (BM25
of passages and sentences, vector search chosen by size), a real `verbatim serve` loads it, and the questions are
the SQuAD and gene-therapy questions, encoded by the model.
"""

import argparse
import http.client
import json
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

import bm25s
import faiss
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from index.build import chunking
from index.embed import DEFAULT_MODEL, Embedder
from index.layout import FORMAT_VERSION, write_index
from index.runtime import export, export_folder
from index.search import build_search, read_search, recall_at, write_search
from index.text import tokens
from index.units import FILES as UNIT_FILES
from index.versions import new_version_dir, publish
from ingest.load import load_corpus
from ingest.split import passages as split_passages
from ingest.units import Passage, Sentence
from server.answer.evaluate import percentile_ms, read_questions
from tests.browser import live_server

PER_DOCUMENT = 100
NOISE = 0.005
QUESTIONS = 200
THROUGHPUT_SAMPLE = 512


def real_sentences() -> list[str]:
    found = []
    for corpus in (Path("bench/out/squad/corpus"), Path("corpus")):
        for item in load_corpus(corpus).loaded:
            found += [s.text for p in split_passages(item.document, item.blocks) for s in p.sentences]
    return list(dict.fromkeys(found))


def questions() -> list[str]:
    found = [q.question for q in read_questions(Path("bench/out/squad/questions.jsonl")) if q.kind == "answerable"]
    found += [q.question for q in read_questions(Path("../shared/eval/dev.jsonl")) if q.kind == "answerable"]
    return random.Random(0).sample(found, QUESTIONS)


def synthetic(n: int, sentences: list[str], base: np.ndarray, rng: np.random.Generator):
    """n passages of three recombined sentences, their documents, and their passage and sentence vectors."""
    picks = rng.integers(0, len(sentences), (n, 3))
    documents, passages = {}, []
    for first in range(0, n, PER_DOCUMENT):
        doc_id = f"doc{first // PER_DOCUMENT:05d}.txt"
        parts, offset = [], 0
        for row in picks[first : first + PER_DOCUMENT]:
            units, start = [], offset
            for k, sid in enumerate(row):
                text = sentences[sid]
                units.append(Sentence(doc_id, offset, offset + len(text), text))
                parts.append(text + (" " if k < 2 else "\n\n"))
                offset += len(parts[-1])
            end = units[-1].end
            passages.append(Passage(doc_id, start, end, " ".join(u.text for u in units), tuple(units)))
        documents[doc_id] = "".join(parts)
    return documents, passages, *vectors_of(picks, base, rng)


def vectors_of(picks: np.ndarray, base: np.ndarray, rng: np.random.Generator,
               sentences: bool = True) -> tuple[np.ndarray, np.ndarray | None]:  # fmt: skip
    """Passage vectors (and sentence vectors, unless not wanted) for passages of the picked base sentences."""
    n, dim = len(picks), base.shape[1]
    sentence_vectors = np.empty((3 * n, dim), np.float32) if sentences else None
    passage_vectors = np.empty((n, dim), np.float32)
    for first in range(0, n, 100_000):  # in slices, to bound the temporary arrays
        rows = picks[first : first + 100_000]
        noisy = base[rows] + rng.normal(0, NOISE, (*rows.shape, dim)).astype(np.float32)
        noisy /= np.linalg.norm(noisy, axis=2, keepdims=True)
        if sentence_vectors is not None:
            sentence_vectors[3 * first : 3 * (first + len(rows))] = noisy.reshape(-1, dim)
        mean = noisy.mean(axis=1)
        passage_vectors[first : first + len(rows)] = mean / np.linalg.norm(mean, axis=1, keepdims=True)
    return passage_vectors, sentence_vectors


def search_figures(path: Path, manifest: dict, query_vectors: np.ndarray, query_tokens: list[list[str]],
                   vectors: np.ndarray) -> dict:  # fmt: skip
    """Passage search as the server does it (memory-mapped index, 30 candidates), its recall@10, and BM25."""
    search = read_search(path / "passages.faiss", manifest["search"]["passages"]["type"])
    times = []
    for q in query_vectors:
        began = time.perf_counter()
        search.search(q.reshape(1, -1), 30)
        times.append(time.perf_counter() - began)
    exact_times = []
    flat = faiss.IndexFlatIP(vectors.shape[1])
    flat.add(vectors)
    truth = flat.search(query_vectors, 10)[1]
    for q in query_vectors[:50]:
        began = time.perf_counter()
        flat.search(q.reshape(1, -1), 30)
        exact_times.append(time.perf_counter() - began)
    del flat
    bm25 = bm25s.BM25.load(path / "bm25_passages", show_progress=False)
    lexical = []
    for words in query_tokens:
        known = [w for w in words if w in bm25.vocab_dict]
        began = time.perf_counter()
        if known:
            np.argpartition(-bm25.get_scores(known), 30)[:30]
        lexical.append(time.perf_counter() - began)
    return {"search_p50": percentile_ms(times, 0.5), "search_p95": percentile_ms(times, 0.95),
            "recall": recall_at(search.search(query_vectors, 10)[1], truth),
            "exact_p50": percentile_ms(exact_times, 0.5), "bm25_p50": percentile_ms(lexical, 0.5)}  # fmt: skip


def memory_mib(pid: int) -> tuple[float, float]:
    """Resident memory, and the part of it that is the process's own (not file pages the page cache shares)."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:])
    return int(fields["Rss"].split()[0]) / 1024, int(fields["Anonymous"].split()[0]) / 1024


def server_figures(root: Path, asked: list[str]) -> dict:
    """Start-up time, memory and /ask latency of a real `verbatim serve` on the index."""
    began = time.perf_counter()
    with live_server({"VERBATIM_INDEX": str(root), "VERBATIM_QUERY_CACHE": "0"}, timeout=1800) as (url, process):
        startup = time.perf_counter() - began
        connection = http.client.HTTPConnection(url.removeprefix("http://"))
        times = []
        for question in asked * 2:
            body = json.dumps({"question": question})
            began = time.perf_counter()
            connection.request("POST", "/ask", body, {"Content-Type": "application/json"})
            connection.getresponse().read()
            times.append(time.perf_counter() - began)
        rss, own = memory_mib(process.pid)
    return {"startup": startup, "rss": rss, "own": own, "ask_p50": percentile_ms(times, 0.5),
            "ask_p95": percentile_ms(times, 0.95)}  # fmt: skip


def disk_mib(path: Path, *names: str) -> float:
    files = [f for name in names for f in ([path / name] if (path / name).is_file() else (path / name).rglob("*"))]
    return sum(f.stat().st_size for f in files) / 2**20


def passages_only(n: int, sentences, base, query_vectors, query_tokens) -> dict:
    """The passage level alone, as `write_index` builds it: vector search chosen by size, and BM25; no sentence
    level, no server (for sizes whose whole version takes too long to write on this machine)."""
    rng = np.random.default_rng(n)
    picks = rng.integers(0, len(sentences), (n, 3))
    vectors, _ = vectors_of(picks, base, rng, sentences=False)
    with tempfile.TemporaryDirectory(dir="bench/out") as tmp:
        path = Path(tmp)
        began = time.perf_counter()
        index, info = build_search(vectors)
        write_search(index, path / "passages.faiss")
        built = time.perf_counter() - began
        del index
        began = time.perf_counter()
        bm25 = bm25s.BM25()
        bm25.index([tokens(" ".join(sentences[i] for i in row)) for row in picks], show_progress=False)
        bm25.save(path / "bm25_passages", show_progress=False)
        lexical_built = time.perf_counter() - began
        np.save(path / "passage_vectors.npy", vectors)
        figures = {"passages": n, "build": built, "bm25_build": lexical_built, **info,
                   "disk_vectors": disk_mib(path, "passage_vectors.npy"), "disk_faiss": disk_mib(path, "passages.faiss"),
                   "disk_bm25": disk_mib(path, "bm25_passages")}  # fmt: skip
        figures |= search_figures(path, {"search": {"passages": info}}, query_vectors, query_tokens, vectors)
    return figures


def one_size(n: int, sentences, base, query_vectors, query_tokens, asked, export_from: Path,
             keep: Path | None = None) -> dict:  # fmt: skip
    """Write a version of n passages and measure it, served; under keep/index-N when given (for --serve), else in
    a folder removed afterwards."""
    rng = np.random.default_rng(n)
    began = time.perf_counter()
    documents, passages, passage_vectors, sentence_vectors = synthetic(n, sentences, base, rng)
    made = time.perf_counter() - began
    with tempfile.TemporaryDirectory(dir="bench/out") as tmp:
        root = keep / f"index-{n}" if keep else Path(tmp) / "index"
        work = new_version_dir(root)
        manifest = {"format_version": FORMAT_VERSION, "model": {"name": DEFAULT_MODEL, "dimension": base.shape[1]},
                    "chunking": chunking(700), "documents": {d: {"format": "txt", "sha256": ""} for d in documents},
                    "files": {}, "skipped": [], "built_at": "",
                    "counts": {"documents": len(documents), "passages": n, "sentences": 3 * n}}  # fmt: skip
        began = time.perf_counter()
        manifest = write_index(work, manifest, documents, passages, passage_vectors, sentence_vectors)
        built = time.perf_counter() - began
        path = publish(root, work, keep=1)
        shutil.copytree(export_from, export_folder(root, DEFAULT_MODEL), dirs_exist_ok=True)
        del documents, passages, sentence_vectors
        figures = {"passages": n, "synthesis": made, "build": built, **manifest["search"]["passages"],
                   "sentence_search": manifest["search"]["sentences"],
                   "disk_vectors": disk_mib(path, "passage_vectors.npy", "sentence_vectors.npy"),
                   "disk_faiss": disk_mib(path, "passages.faiss", "sentences.faiss"),
                   "disk_bm25": disk_mib(path, "bm25_passages", "bm25_sentences"),
                   "disk_units": disk_mib(path, *UNIT_FILES)}  # fmt: skip
        figures |= search_figures(path, manifest, query_vectors, query_tokens, passage_vectors)
        del passage_vectors
        figures |= server_figures(root, asked)
    return figures


def embedding_throughput(embedder: Embedder, sentences: list[str]) -> float:
    sample = (sentences * (1 + THROUGHPUT_SAMPLE // len(sentences)))[:THROUGHPUT_SAMPLE]
    began = time.perf_counter()
    embedder.encode(sample)
    return len(sample) / (time.perf_counter() - began)


def plot(rows: list[dict], out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    def line(axes, key, style: str, label: str) -> None:
        found = [(r["passages"], r[key]) for r in rows if key in r]
        axes.plot([x for x, _ in found], [y for _, y in found], style, label=label)

    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    line(left, "search_p50", "o-", "passage vector search (as built)")
    line(left, "exact_p50", "o--", "exact vector search")
    line(left, "bm25_p50", "s-", "BM25 over passages")
    line(left, "ask_p50", "^-", "/ask over HTTP, whole answer")
    left.set(xscale="log", yscale="log", xlabel="passages", ylabel="p50 latency (ms)", title="Latency")
    left.legend(fontsize=8)
    line(right, "rss", "o-", "server resident memory")
    line(right, "own", "o:", "of which the server's own (not shared file pages)")
    line(right, "disk_faiss", "s--", "vector search files")
    line(right, "disk_bm25", "d--", "BM25 files")
    right.set(xscale="log", yscale="log", xlabel="passages", ylabel="MiB", title="Memory and disk")
    right.legend(fontsize=8)
    fig.suptitle("Verbatim as the corpus grows (synthetic passages, 2 CPU cores)")
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=110)


def table(rows: list[dict]) -> None:
    print("| passages | vector search | build | disk (vectors + FAISS + BM25 + text) | server memory: resident (own) "
          "| start-up | search p50 / p95 | exact p50 | recall@10 | BM25 p50 | /ask p50 / p95 |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        storage = f" {r['storage']}" if "storage" in r else ""
        kind = "exact" if r["type"] == "exact" else f"IVF{r['lists']}{storage}, {r['probes']} probes"
        server = (f"{r['rss']:,.0f} MiB ({r['own']:,.0f} MiB) | {r['startup']:.1f} s" if "rss" in r else "– | –")
        disk = [r.get(k, 0.0) for k in ("disk_vectors", "disk_faiss", "disk_bm25", "disk_units")]
        print(f"| {r['passages']:,} | {kind} | {r['build']:.0f} s | {sum(disk):,.0f} MiB "
              f"({' + '.join(f'{d:,.0f}' for d in disk)}) | {server} | {r['search_p50']:.2f} / {r['search_p95']:.2f} ms"
              f" | {r['exact_p50']:.1f} ms | {r['recall']:.3f} | {r['bm25_p50']:.1f} ms | "
              + (f"{r['ask_p50']:.1f} / {r['ask_p95']:.1f} ms |" if "ask_p50" in r else "– |"))  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,100000,1000000", help="sizes measured whole, server included")
    parser.add_argument("--passages-only", default="", help="sizes measured at the passage level only")
    parser.add_argument("--rows", type=Path, help="rows (JSON lines) printed by earlier runs, tabled and plotted too")
    parser.add_argument("--plot", type=Path)
    parser.add_argument("--keep", type=Path, help="keep each size's index root here (KEEP/index-N), for --serve")
    parser.add_argument("--serve", type=Path, help="only serve this kept index root and print the server's figures")
    args = parser.parse_args()
    if args.serve:
        print(json.dumps({"root": str(args.serve), **server_figures(args.serve, questions())}))
        return
    rows = [json.loads(line) for line in args.rows.read_text().splitlines()] if args.rows else []
    sizes = [int(s) for s in args.sizes.split(",") if s]
    partial = [int(s) for s in args.passages_only.split(",") if s]
    if sizes or partial:
        sentences = real_sentences()
        embedder = Embedder()
        print(f"{len(sentences)} real sentences; model embeds {embedding_throughput(embedder, sentences):.0f} "
              "sentences/s on this machine")  # fmt: skip
        base = embedder.encode(sentences)
        asked = questions()
        query_vectors = embedder.encode(asked)
        query_tokens = [tokens(q) for q in asked]
        Path("bench/out").mkdir(exist_ok=True)
        with tempfile.TemporaryDirectory(dir="bench/out") as tmp:
            export_to = Path(tmp) / "encoder"
            export(embedder, export_to)
            for n in sizes:
                rows.append(one_size(n, sentences, base, query_vectors, query_tokens, asked, export_to, args.keep))
                print(json.dumps(rows[-1]), flush=True)
        for n in partial:
            rows.append(passages_only(n, sentences, base, query_vectors, query_tokens))
            print(json.dumps(rows[-1]), flush=True)
    table(sorted(rows, key=lambda r: r["passages"]))
    if args.plot:
        plot(sorted(rows, key=lambda r: r["passages"]), args.plot)
        print(f"plot: {args.plot}")


if __name__ == "__main__":
    main()
