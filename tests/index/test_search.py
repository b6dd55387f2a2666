"""Vector search sized to the corpus: exact for small ones, an inverted-file index above the limit, memory-mapped."""

from pathlib import Path

import faiss
import numpy as np

from index.build import BuildReport, build_index
from index.embed import Embedder
from index.layout import read_manifest
from index.search import build_search, recall_at, sample_queries
from index.store import Store
from index.versions import current_version
from server.settings import Settings


def _mapped_files() -> str:
    return Path("/proc/self/maps").read_text()


def test_small_corpus_gets_exact_search(settings: Settings, built: BuildReport) -> None:
    manifest = read_manifest(current_version(settings.index))
    assert built.search == {"passages": "exact", "sentences": "exact"}
    assert manifest["search"]["sentences"] == {"type": "exact", "vectors": built.sentences}


def test_above_the_limit_search_is_approximate_with_its_recall_measured(tmp_path: Path, settings: Settings,
                                                                       embedder: Embedder) -> None:  # fmt: skip
    report = build_index(settings.corpus, tmp_path / "index", settings.model, settings.max_passage_chars,
                         embedder=lambda: embedder, exact_limit=10, recall_target=0.95)  # fmt: skip
    assert report.search == {"passages": "ivf", "sentences": "ivf"}
    path = current_version(tmp_path / "index")
    found = read_manifest(path)["search"]["sentences"]
    assert found["vectors"] == report.sentences and 1 <= found["probes"] <= found["lists"]
    assert found["recall_at_10"] >= 0.95
    store = Store.load(path, settings.model, settings.max_passage_chars)
    assert isinstance(store.sentence_search, faiss.IndexIVFScalarQuantizer) and found["storage"] == "fp16"
    for sid in range(0, report.sentences, 7):  # every sentence is its own nearest neighbour
        assert store.dense(np.asarray(store.sentence_vectors[sid]), 1, sentences=True)[0][0] == sid
    query = np.asarray(store.passage_vectors[0] + store.passage_vectors[1]) / 2
    ids, sims = store.dense(query, 5)  # similarities from the float vectors, best first
    assert np.array_equal(sims, store.passage_vectors[ids] @ query) and np.all(np.diff(sims) <= 0)


def test_probes_reach_the_recall_target_on_clustered_vectors() -> None:
    rng = np.random.default_rng(1)
    centres = rng.normal(size=(50, 32))
    vectors = (centres[rng.integers(0, 50, 20_000)] + rng.normal(0, 0.6, (20_000, 32))).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    index, info = build_search(vectors, exact_limit=1_000, recall_target=0.9)
    assert info["type"] == "ivf" and info["probes"] < info["lists"]
    queries = sample_queries(vectors, 100, np.random.default_rng(2))  # other queries than the build's sample
    truth = faiss.knn(queries, vectors, 10, metric=faiss.METRIC_INNER_PRODUCT)[1]
    assert recall_at(index.search(queries, 10)[1], truth) >= 0.85
    rng = np.random.default_rng(0)  # the build's own sample: after its draw of the k-means training points
    rng.choice(len(vectors), min(len(vectors), 40 * info["lists"]), replace=False)
    sample = sample_queries(vectors, 256, rng)
    fewer = info["probes"] - max(1, info["probes"] // 8)  # the probes are the fewest that reach it, to an eighth
    index.nprobe = fewer
    sample_truth = faiss.knn(sample, vectors, 10, metric=faiss.METRIC_INNER_PRODUCT)[1]
    assert fewer < 1 or recall_at(index.search(sample, 10)[1], sample_truth) < 0.9
    index.nprobe = info["probes"]
    assert round(recall_at(index.search(sample, 10)[1], sample_truth), 3) == info["recall_at_10"] >= 0.9
    assert build_search(vectors, exact_limit=20_000)[1] == {"type": "exact", "vectors": 20_000}


def test_vectors_and_searches_are_memory_mapped_not_copied(settings: Settings, built: BuildReport) -> None:
    path = current_version(settings.index)
    store = Store.load(path, settings.model, settings.max_passage_chars)
    assert not store.sentence_vectors.flags.owndata and not store.passage_vectors.flags.owndata
    assert not any(r.scores["data"].flags.owndata for r in (store.passage_bm25, store.sentence_bm25))
    mapped = _mapped_files()
    for name in ("text.bin", "passages.npy", "sentences.npy", "bm25_sentences/data.csc.index.npy"):
        assert str(path / name) in mapped
    assert str(path / "passages.faiss") in mapped and str(path / "sentences.faiss") in mapped
    assert str(path / "passage_vectors.npy") in mapped and str(path / "sentence_vectors.npy") in mapped
    del store
