"""Texts embedded a second: a local build against a Ray cluster of one node and of two, here on 127.0.0.1.

    .venv/bin/pip install -e '.[ray]'
    .venv/bin/python bench/cluster.py [--texts 2000]

SQuAD 2.0 texts (../shared/external/squad2-dev-5-articles.json: the sentences, then the questions) are embedded
as a CPU build embeds them (index.runtime.document_encoder: the ONNX export, batches sorted by length) and by
index.cluster.ClusterEncoder on a cluster this script starts in the background, every node bound to 127.0.0.1:
one node of the machine's CPUs (one actor with them all), then two nodes of half each (an actor on each). A Ray
run starts its actors afresh, as a build does, so its figure is end to end; "after start-up" leaves out what ten
texts cost (starting the actors, loading the model). On one machine two nodes share the same cores, so they
cannot beat one: the point here is that the texts are spread over the nodes and come back with the same vectors.
On a cluster, each node adds its own cores or GPUs.
"""

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from index.cluster import ClusterEncoder, import_ray
from index.runtime import document_encoder
from server.settings import Settings

SQUAD = Path(__file__).resolve().parents[2] / "shared" / "external" / "squad2-dev-5-articles.json"


def squad_texts(count: int) -> list[str]:
    """The first count distinct texts of the SQuAD articles: their sentences, then their questions."""
    import pysbd

    segmenter = pysbd.Segmenter(language="en", clean=False)
    found: dict[str, None] = {}
    paragraphs = [p for article in json.loads(SQUAD.read_text())["data"] for p in article["paragraphs"]]
    for paragraph in paragraphs:
        found.update(dict.fromkeys(s.strip() for s in segmenter.segment(paragraph["context"]) if s.strip()))
    found.update(dict.fromkeys(q["question"].strip() for p in paragraphs for q in p["qas"]))
    return list(found)[:count]


def timed(encode: Callable[[list[str]], np.ndarray], texts: list[str]) -> tuple[float, np.ndarray]:
    began = time.perf_counter()
    vectors = encode(texts)
    return time.perf_counter() - began, vectors


def on_cluster(nodes: int, cpus: int, root: Path, model: str, texts: list[str]) -> tuple[float, float, np.ndarray]:
    """Seconds for all texts and for ten, and the vectors, on a fresh cluster of nodes with cpus each."""
    import ray._private.ray_constants as constants
    from ray.cluster_utils import Cluster

    constants.ENABLE_RAY_CLUSTER = False  # 127.0.0.1 stays this process's address (tests/index/test_cluster.py)
    temp = Path(tempfile.mkdtemp(prefix="vray-", dir="/tmp"))
    (temp / "ray").mkdir()
    os.environ["RAY_TMPDIR"] = str(temp)
    node = {"node_ip_address": "127.0.0.1", "num_cpus": cpus, "object_store_memory": 300_000_000,
            "temp_dir": str(temp / "t")}  # fmt: skip
    cluster = Cluster(initialize_head=True, head_node_args={**node, "include_dashboard": False})
    try:
        for _ in range(nodes - 1):
            cluster.add_node(**node)
        encoder = ClusterEncoder(cluster.address, root, model)
        timed(encoder.encode, texts[:10])  # warms the nodes' worker processes: each run below starts like a build
        small, _ = timed(encoder.encode, texts[:10])
        seconds, vectors = timed(encoder.encode, texts)
        assert len(encoder.nodes) == nodes, encoder.nodes
        return seconds, small, vectors
    finally:
        cluster.shutdown()
        shutil.rmtree(temp, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=2000)
    args = parser.parse_args()
    os.environ["RAY_USAGE_STATS_ENABLED"] = "0"
    import_ray()
    texts = squad_texts(args.texts)
    cores = os.cpu_count() or 2
    with tempfile.TemporaryDirectory() as folder:
        root, model = Path(folder) / "index", Settings().model
        local = document_encoder(root, model)  # exports the model into root first, as a build does
        local.encode(texts[:50])  # warm
        seconds, expected = timed(local.encode, texts)
        print(f"{len(texts)} SQuAD texts, {cores} cores\n")
        print("| where | texts/s | after start-up | seconds | ten texts (s) | min cosine to local |")
        print("|---|---|---|---|---|---|")
        print(f"| local (ONNX export, {cores} threads) | {len(texts) / seconds:.0f} | | {seconds:.1f} | | |")
        for nodes in (1, 2):
            cpus = max(1, cores // nodes)
            seconds, small, vectors = on_cluster(nodes, cpus, root, model, texts)
            cosine = float(np.min(np.sum(vectors * expected, axis=1)))
            print(f"| Ray, {nodes} node{'s' if nodes > 1 else ''} × {cpus} CPU{'s' if cpus > 1 else ''} "
                  f"| {len(texts) / seconds:.0f} | {(len(texts) - 10) / max(seconds - small, 1e-9):.0f} "
                  f"| {seconds:.1f} | {small:.1f} | {cosine:.6f} |")  # fmt: skip


if __name__ == "__main__":
    main()
