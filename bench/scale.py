"""Vector and BM25 search as the corpus grows: exact search against approximate indexes, measured.

    python bench/scale.py [--sizes 10000,100000,1000000]
Passages are synthetic: real SQuAD and gene-therapy sentences recombined three at a time (for BM25), and real
MiniLM vectors of those sentences with small Gaussian perturbations, renormalized (embedding a million passages on
2 cores takes hours). Prints, per size: build time, memory, p50 search latency and recall@10 against exact search.
"""

import argparse
import random
import time
from pathlib import Path

import bm25s
import faiss
import numpy as np

from index.embed import Embedder
from index.text import tokens
from ingest.load import load_corpus
from ingest.split import passages

QUERIES = 200


def real_sentences() -> list[str]:
    found = []
    for corpus in (Path("bench/out/squad/corpus"), Path("corpus")):
        for item in load_corpus(corpus).loaded:
            found += [s.text for p in passages(item.document, item.blocks) for s in p.sentences]
    return found


def synthetic_vectors(base: np.ndarray, n: int, rng: np.random.Generator, noise: float = 0.05) -> np.ndarray:
    picks = base[rng.integers(0, len(base), n)] + rng.normal(0, noise, (n, base.shape[1])).astype(np.float32)
    return picks / np.linalg.norm(picks, axis=1, keepdims=True)


def timed_search(index: faiss.Index, queries: np.ndarray, k: int = 10) -> tuple[np.ndarray, float]:
    ids, times = [], []
    for q in queries:
        began = time.perf_counter()
        ids.append(index.search(q.reshape(1, -1), k)[1][0])
        times.append(time.perf_counter() - began)
    return np.array(ids), 1000 * float(np.median(times))


def recall(found: np.ndarray, truth: np.ndarray) -> float:
    return float(np.mean([len(set(f) & set(t)) / len(t) for f, t in zip(found, truth, strict=True)]))


def vectors_at(n: int, base: np.ndarray, queries: np.ndarray, rng: np.random.Generator) -> None:
    data = synthetic_vectors(base, n, rng)
    flat = faiss.IndexFlatIP(data.shape[1])
    flat.add(data)
    truth, exact_ms = timed_search(flat, queries)
    print(f"| {n:,} | exact (flat) | – | {data.nbytes / 2**20:.0f} MiB | {exact_ms:.2f} | 1.000 |")
    nlist = int(4 * np.sqrt(n))
    began = time.perf_counter()
    ivf = faiss.IndexIVFFlat(faiss.IndexFlatIP(data.shape[1]), data.shape[1], nlist, faiss.METRIC_INNER_PRODUCT)
    ivf.train(data[rng.choice(n, min(n, 40 * nlist), replace=False)])
    ivf.add(data)
    built = time.perf_counter() - began
    for nprobe in (8, 16, 32, 64):
        ivf.nprobe = nprobe
        found, ms = timed_search(ivf, queries)
        print(f"| {n:,} | IVF{nlist},Flat nprobe={nprobe} | {built:.1f} s | {data.nbytes / 2**20:.0f} MiB | {ms:.2f} |"
              f" {recall(found, truth):.3f} |")  # fmt: skip
    if n <= 200_000:  # HNSW's build grows too slow for 2 cores beyond this
        began = time.perf_counter()
        hnsw = faiss.IndexHNSWFlat(data.shape[1], 32, faiss.METRIC_INNER_PRODUCT)
        hnsw.add(data)
        built = time.perf_counter() - began
        hnsw.hnsw.efSearch = 64
        found, ms = timed_search(hnsw, queries)
        print(f"| {n:,} | HNSW32 efSearch=64 | {built:.1f} s | ~{data.nbytes * 1.2 / 2**20:.0f} MiB | {ms:.2f} |"
              f" {recall(found, truth):.3f} |")  # fmt: skip


def bm25_at(n: int, sentences: list[str], questions: list[str], rng: random.Random) -> None:
    texts = [" ".join(rng.sample(sentences, 3)) for _ in range(n)]
    began = time.perf_counter()
    retriever = bm25s.BM25()
    retriever.index([tokens(t) or [""] for t in texts], show_progress=False)
    built = time.perf_counter() - began
    times = []
    for q in questions:
        query = [t for t in tokens(q) if t in retriever.vocab_dict]
        began = time.perf_counter()
        if query:
            retriever.get_scores(query)
        times.append(time.perf_counter() - began)
    print(f"| {n:,} | BM25 (bm25s, all scores) | {built:.1f} s | | {1000 * float(np.median(times)):.2f} | exact |")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,100000,1000000")
    sizes = [int(s) for s in parser.parse_args().sizes.split(",")]
    sentences = real_sentences()
    embedder = Embedder()
    base = embedder.encode(sentences)
    rng = np.random.default_rng(0)
    questions = [line for line in sentences[:: max(1, len(sentences) // QUERIES)]][:QUERIES]
    queries = synthetic_vectors(embedder.encode(questions), len(questions), rng, noise=0.02)
    print("| passages | search | build | memory | p50 ms | recall@10 |")
    print("|---|---|---|---|---|---|")
    for n in sizes:
        vectors_at(n, base, queries, rng)
        bm25_at(n, sentences, questions, random.Random(0))


if __name__ == "__main__":
    main()
