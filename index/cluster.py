"""A build's texts embedded on a Ray cluster: Ray Data batches over actors that each load the model once."""

import logging
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

import numpy as np
from tqdm import tqdm

from index.embed import Embedder, QueryCache
from index.runtime import ONNX_FILE, OnnxEncoder, document_encoder, export_folder

if TYPE_CHECKING:
    import ray.data

INSTALL = "pip install -e '.[ray]'"
CPUS_PER_ACTOR = 4  # without GPUs, one actor per this many CPUs of a node (one per node at least)
BLOCK = 1024  # most texts in a Ray Data block (texts sorted by length, so a block holds like lengths)
MIN_BLOCK = 16  # fewest, where there are few texts: every actor gets a few blocks
GPU_BATCH = 256  # texts a GPU actor's model encodes at once


class ClusterError(ValueError):
    """Ray is not installed or the cluster can't be reached; the message says what to do."""


def require_ray() -> None:
    """Fail at once, before a build starts, when Ray is not installed."""
    if find_spec("ray") is None:
        raise ClusterError(f"embedding on a Ray cluster needs Ray, which is not installed: {INSTALL}")


def import_ray() -> ModuleType:
    """Ray with Ray Data, and no usage statistics sent from this process."""
    require_ray()
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    import ray
    import ray.data

    return ray


@dataclass(frozen=True, slots=True)
class Plan:
    """How many embedding actors a cluster runs, and what each holds."""

    actors: int
    cpus: int
    gpus: int


def plan(nodes: list[dict], cpus_per_actor: int = CPUS_PER_ACTOR) -> Plan:
    """One actor per GPU of a cluster that has GPUs; else one per cpus_per_actor CPUs of each node (at least one
    a node), each with the CPUs the smallest node can give it."""
    alive = [node["Resources"] for node in nodes if node.get("Alive", True)]
    gpus = sum(int(resources.get("GPU", 0)) for resources in alive)
    if gpus:
        return Plan(gpus, 1, 1)
    cpus = [int(resources.get("CPU", 0)) for resources in alive if resources.get("CPU", 0) >= 1]
    if not cpus:
        raise ClusterError("the Ray cluster has no CPU or GPU to embed with")
    each = max(1, min(cpus_per_actor, *cpus))
    return Plan(sum(c // each for c in cpus), each, 0)


def _onnx(folder: Path, model: str, threads: int) -> OnnxEncoder:
    """The index root's export, run on the actor's own CPUs only (onnxruntime would take every core of the node)."""
    import onnxruntime

    encoder = OnnxEncoder(folder, model, cache_size=0, spin=False)
    options = onnxruntime.SessionOptions()
    options.log_severity_level = 3
    options.intra_op_num_threads, options.inter_op_num_threads = threads, 1
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    encoder.session = onnxruntime.InferenceSession(str(folder / ONNX_FILE), options,
                                                   providers=["CPUExecutionProvider"])  # fmt: skip
    return encoder


class EncodeActor:
    """One actor's model, loaded once: sentence-transformers on its GPU; on CPUs the index root's ONNX export
    where the node reaches it (shared storage), else sentence-transformers."""

    def __init__(self, folder: str, model: str, gpu: bool, threads: int) -> None:
        import ray

        # Which node embeds (the build can tell it used them all); never starts Ray where it was not (a test).
        self.node = ray.get_runtime_context().get_node_id() if ray.is_initialized() else "here"
        if gpu:
            self.encoder, self.batch = Embedder(model, "cuda", cache_size=0), GPU_BATCH
        elif (Path(folder) / ONNX_FILE).exists():
            self.encoder, self.batch = _onnx(Path(folder), model, threads), 32
        else:
            import torch

            torch.set_num_threads(threads)
            self.encoder, self.batch = Embedder(model, "cpu", cache_size=0), 64

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        node = np.full(len(batch["i"]), self.node, dtype="S64")
        return {"i": batch["i"], "node": node,
                "vector": self.encoder.encode(list(batch["text"]), batch_size=self.batch)}  # fmt: skip


def _check_reachable(address: str) -> None:
    """A host:port address that nothing answers fails at once (Ray itself would retry for minutes)."""
    host, _, port = address.rpartition(":")
    if address == "auto" or "://" in address or not port.isdigit():
        return
    try:
        socket.create_connection((host, int(port)), timeout=5).close()
    except OSError as error:
        raise ClusterError(f"cannot reach the Ray cluster at {address} ({error})") from error


@contextmanager
def connected(ray: ModuleType, address: str) -> Iterator[None]:
    """This process connected to the cluster for as long as it embeds (unless it already was)."""
    if ray.is_initialized():
        yield
        return
    _check_reachable(address)
    try:
        ray.init(address=address, logging_level=logging.WARNING, log_to_driver=False)
    except ConnectionError as error:
        if address == "auto":
            raise ClusterError("no Ray cluster is running on this machine: start one (`ray start --head`), or give "
                               "its address (--ray HOST:PORT, or RAY_ADDRESS)") from error  # fmt: skip
        raise ClusterError(f"cannot connect to the Ray cluster at {address}: {error}") from error
    try:
        yield
    finally:
        ray.shutdown()


def block_size(texts: int, actors: int) -> int:
    """Texts a block: four blocks an actor at least, where there are texts enough, so that each has some and
    none waits long for the last."""
    return max(MIN_BLOCK, min(BLOCK, -(-texts // (4 * actors))))


def _blocks(texts: list[str], size: int) -> list:
    """The texts as Arrow tables of size texts, shortest first, each text with its position."""
    import pyarrow as pa

    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    parts = [order[start : start + size] for start in range(0, len(order), size)]
    return [pa.table({"i": np.asarray(part, np.int64), "text": [texts[i] for i in part]}) for part in parts]


class ClusterEncoder(QueryCache):
    """Embeds a build's texts on a Ray cluster and gives their vectors back in the texts' order."""

    def __init__(self, address: str, root: Path, model: str) -> None:
        super().__init__(0)
        self.ray = import_ray()
        _check_reachable(address)  # before the model is loaded here
        local = document_encoder(root, model)  # makes the root's ONNX export first (questions use it too)
        self.address, self.name, self.dim = address, model, local.dim
        self.model = getattr(local, "model", None)  # a build exports from it when the export could not be made
        self.folder = str(export_folder(root.resolve(), model))  # where the actors look for the export
        self.nodes: set[str] = set()  # the nodes that embedded texts, last time

    def encode(self, texts: list[str], progress: bool = False) -> np.ndarray:
        vectors = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return vectors
        done, self.nodes = np.zeros(len(texts), dtype=bool), set()
        with connected(self.ray, self.address), tqdm(total=len(texts), desc="Embedding on Ray", unit="text",
                                                     disable=not progress) as bar:  # fmt: skip
            for batch in self._dataset(texts).iter_batches(batch_size=None, batch_format="numpy"):
                vectors[batch["i"]], done[batch["i"]] = batch["vector"], True
                self.nodes |= {node.decode() for node in np.unique(batch["node"])}
                bar.update(len(batch["i"]))
        if not done.all():
            raise ClusterError(f"the Ray cluster returned {int(done.sum())} of {len(texts)} vectors")
        return vectors

    def _dataset(self, texts: list[str]) -> "ray.data.Dataset":
        """The texts mapped to vectors by a pool of actors sized by the cluster's resources."""
        data = self.ray.data
        data.DataContext.get_current().enable_progress_bars = False  # the build reports its own progress
        data.DataContext.get_current().print_on_execution_start = False
        logging.getLogger("ray.data._internal.progress").setLevel(logging.ERROR)  # "progress bars disabled"
        logging.getLogger("ray.data._internal.execution.streaming_executor").setLevel(logging.WARNING)  # "finished"
        found = plan(self.ray.nodes())
        size = block_size(len(texts), found.actors)
        blocks = _blocks(texts, size)
        load = {"folder": self.folder, "model": self.name, "gpu": found.gpus > 0, "threads": found.cpus}
        return data.from_arrow(blocks).map_batches(
            EncodeActor,
            fn_constructor_kwargs=load,
            batch_size=min(GPU_BATCH, size) if found.gpus else size,  # so a task is a block (bundled up to this)
            # One block at a time an actor: the next goes to whichever is free, not queued at the one beside the
            # driver, which holds them all (a block takes seconds to embed, and a few milliseconds to move).
            compute=data.ActorPoolStrategy(size=min(found.actors, len(blocks)), max_tasks_in_flight_per_actor=1),
            num_cpus=found.cpus,
            num_gpus=found.gpus,
            batch_format="numpy",
        )
