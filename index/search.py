"""Vector search sized to the corpus: exact up to a limit, an inverted-file index (vectors in half precision) above it.

The inverted-file index's probe count is chosen when it is built: the smallest (to within an eighth) that finds, for
sample queries, at least the target share of the ten neighbours exact search finds. Indexes are saved as FAISS files and read back
memory-mapped, so server processes on one machine share one copy through the page cache.
"""

import math
from pathlib import Path

import faiss
import numpy as np

EXACT_LIMIT = 50_000  # vectors; exact search over more takes over ~10 ms per question on two cores
RECALL_TARGET = 0.95
K = 10
SAMPLE_QUERIES = 256


def build_search(vectors: np.ndarray, exact_limit: int = EXACT_LIMIT,
                 recall_target: float = RECALL_TARGET) -> tuple[faiss.Index, dict]:  # fmt: skip
    """The search index for these (normalized) vectors and a description of it for the manifest."""
    n, dim = vectors.shape
    if n <= exact_limit:
        exact = faiss.IndexFlatIP(dim)
        exact.add(vectors)
        return exact, {"type": "exact", "vectors": n}
    rng = np.random.default_rng(0)
    lists = max(1, min(int(4 * math.sqrt(n)), n // 39))  # k-means wants 39 training points per list
    # The lists hold the vectors in half precision: half the bytes to read per probe (a question's search at 1 M
    # passages is bound by them), the same neighbours; Store.dense scores the found ones again from the float vectors.
    index = faiss.IndexIVFScalarQuantizer(faiss.IndexFlatIP(dim), dim, lists, faiss.ScalarQuantizer.QT_fp16,
                                          faiss.METRIC_INNER_PRODUCT)  # fmt: skip
    index.train(vectors[np.sort(rng.choice(n, min(n, 40 * lists), replace=False))])
    index.add(vectors)
    index.nprobe, recall = _probes_for(index, vectors, recall_target, rng)
    return index, {"type": "ivf", "storage": "fp16", "vectors": n, "lists": lists, "probes": index.nprobe,
                   "recall_at_10": recall}  # fmt: skip


def sample_queries(vectors: np.ndarray, count: int, rng: np.random.Generator) -> np.ndarray:
    """Points between two random vectors: like questions, near the data but on none of it."""
    pairs = vectors[rng.integers(0, len(vectors), (count, 2))].sum(axis=1)
    return (pairs / np.linalg.norm(pairs, axis=1, keepdims=True)).astype(np.float32)


def recall_at(found: np.ndarray, truth: np.ndarray) -> float:
    """Share of the exact neighbours that the approximate search found, averaged over queries."""
    return float(np.mean([len(set(f[f >= 0]) & set(t)) / len(t) for f, t in zip(found, truth, strict=True)]))


def _probes_for(index: faiss.IndexIVF, vectors: np.ndarray, target: float,
                rng: np.random.Generator) -> tuple[int, float]:  # fmt: skip
    """The fewest probes (within an eighth) whose recall reaches the target: doubling, then halving the gap."""
    queries = sample_queries(vectors, SAMPLE_QUERIES, rng)
    truth = faiss.knn(queries, vectors, K, metric=faiss.METRIC_INNER_PRODUCT)[1]

    def recall(probes: int) -> float:
        index.nprobe = probes
        return round(recall_at(index.search(queries, K)[1], truth), 3)

    low, high = 0, 1  # low: most probes known to fall short; high: the probes tried next, then the fewest enough
    found = recall(high)
    while found < target and high < index.nlist:
        low, high = high, min(2 * high, index.nlist)
        found = recall(high)
    while high - low > max(1, high // 8) and found >= target:
        middle = (low + high) // 2
        if (at_middle := recall(middle)) >= target:
            high, found = middle, at_middle
        else:
            low = middle
    index.nprobe = high
    return high, found


def write_search(index: faiss.Index, path: Path) -> None:
    faiss.write_index(index, str(path))


def read_search(path: Path, kind: str) -> faiss.Index:
    """A saved search index ("exact" or "ivf", as the manifest says), memory-mapped rather than copied."""
    return faiss.read_index(str(path), faiss.IO_FLAG_MMAP_IFC if kind == "exact" else faiss.IO_FLAG_MMAP)
