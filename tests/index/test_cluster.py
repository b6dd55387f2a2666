"""A build embedded on a real two-node Ray cluster (on 127.0.0.1 only) has a local build's vectors."""

import os
import shutil
import socket
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from index.build import BuildReport
from index.cluster import INSTALL, ClusterEncoder, ClusterError, EncodeActor, Plan, block_size, plan
from index.embed import Embedder
from index.runtime import OnnxEncoder, export_folder
from index.store import Store
from server.cli import app
from server.engine import build
from server.settings import Settings
from tests.conftest import make_corpus


@pytest.fixture(scope="module")
def ray_cluster() -> Iterator[str]:
    """Two Ray nodes of one CPU each, started by this process and stopped with it; yields the head's address."""
    pytest.importorskip("ray", reason=f"Ray is an optional extra: {INSTALL}")
    temp = Path(tempfile.mkdtemp(prefix="vray-", dir="/tmp"))  # short: Ray's socket paths must fit 107 characters
    (temp / "ray").mkdir()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RAY_TMPDIR", str(temp))  # Ray's address file goes there, not to the machine's /tmp/ray
        patch.setenv("RAY_USAGE_STATS_ENABLED", "0")
        import ray._private.ray_constants as constants
        from ray.cluster_utils import Cluster

        # Ray turns 127.0.0.1 into the machine's address unless it takes itself for a one-machine cluster; the
        # nodes below are given 127.0.0.1 as such, and then every one of their servers listens there only.
        patch.setattr(constants, "ENABLE_RAY_CLUSTER", False)
        node = {"node_ip_address": "127.0.0.1", "num_cpus": 1, "object_store_memory": 200_000_000,
                "temp_dir": str(temp / "t")}  # fmt: skip
        cluster = Cluster(initialize_head=True, head_node_args={**node, "include_dashboard": False})
        try:
            cluster.add_node(**node)
            yield cluster.address
        finally:
            cluster.shutdown()
            shutil.rmtree(temp, ignore_errors=True)


def _listening(pids: set[int]) -> list[str]:
    """The local addresses (hex, as /proc writes them) that these processes listen on."""
    inodes = set()
    for pid in pids:
        try:
            links = [os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")]
        except OSError:  # gone meanwhile, or not ours to read
            continue
        inodes |= {link[8:-1] for link in links if link.startswith("socket:[")}
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6", "/proc/net/udp", "/proc/net/udp6"):
        for row in Path(table).read_text().splitlines()[1:]:
            fields = row.split()
            if fields[9] in inodes and (fields[3] == "0A" or "udp" in table):  # 0A: TCP LISTEN
                found.append(fields[1].rsplit(":", 1)[0])
    return found


def _descendants(pid: int) -> set[int]:
    parents = {}
    for entry in os.listdir("/proc"):
        try:
            parents[int(entry)] = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
        except (ValueError, OSError):
            continue
    found, todo = {pid}, [pid]
    while todo:
        parent = todo.pop()
        children = {p for p, pp in parents.items() if pp == parent}
        found |= children
        todo += children
    return found


LOOPBACK = {"0100007F", "0000000000000000FFFF00000100007F", "00000000000000000000000001000000"}


def test_plan_puts_an_actor_on_each_gpu_else_on_a_few_cpus() -> None:
    def nodes(*resources: dict) -> list[dict]:
        return [{"Alive": True, "Resources": r} for r in resources]

    assert plan(nodes({"CPU": 16, "GPU": 2}, {"CPU": 16, "GPU": 1}, {"CPU": 8})) == Plan(3, 1, 1)
    assert plan(nodes({"CPU": 16}, {"CPU": 16})) == Plan(8, 4, 0)
    assert plan(nodes({"CPU": 1}, {"CPU": 1})) == Plan(2, 1, 0)
    assert plan(nodes({"CPU": 2}, {"CPU": 9})) == Plan(5, 2, 0)
    assert plan([*nodes({"CPU": 4}), {"Alive": False, "Resources": {"GPU": 8}}]) == Plan(1, 4, 0)
    with pytest.raises(ClusterError):
        plan([])


def test_blocks_give_every_actor_a_few() -> None:
    assert block_size(100_000, 4) == 1024 and block_size(2000, 2) == 250 and block_size(10, 8) == 16


def test_an_actor_embeds_with_the_export_it_can_reach_else_with_the_model(
    settings: Settings, embedder: Embedder, built: BuildReport, tmp_path: Path
) -> None:
    texts = np.array(["Viral vectors are grown in living cells.", "Is it still maturing?"])
    for folder, kind in ((export_folder(settings.index, settings.model), OnnxEncoder), (tmp_path, Embedder)):
        actor = EncodeActor(str(folder), settings.model, gpu=False, threads=1)
        assert type(actor.encoder) is kind
        if kind is OnnxEncoder:
            assert actor.encoder.session.get_session_options().intra_op_num_threads == 1  # its own CPUs only
        out = actor({"i": np.array([0, 1]), "text": texts})
        assert float(np.min(np.sum(out["vector"] * embedder.encode(list(texts)), axis=1))) >= 0.9999
    assert "ray" not in sys.modules or not sys.modules["ray"].is_initialized()  # no Ray started outside an actor


def test_a_build_on_a_two_node_ray_cluster_has_the_local_builds_vectors(
    ray_cluster: str, settings: Settings, built: BuildReport, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ray
    import ray.data

    assert not ray.is_initialized()  # else the build would embed on whatever this process is connected to
    made: list[ClusterEncoder] = []

    class Recorded(ClusterEncoder):
        def __init__(self, *args: object) -> None:
            super().__init__(*args)
            made.append(self)

    monkeypatch.setattr("index.cluster.ClusterEncoder", Recorded)
    # Both nodes' actors are up before the first block goes out, so that both get some of these few texts.
    monkeypatch.setattr(ray.data.DataContext.get_current(), "wait_for_min_actors_s", 120)
    on_ray = Settings(corpus=make_corpus(tmp_path / "corpus"), index=tmp_path / "index", ray_address=ray_cluster)
    report = build(on_ray)
    assert len(made) == 1 and len(made[0].nodes) == 2
    assert report.embedded == built.embedded > 0 and not ray.is_initialized()  # disconnected once done
    local = Store.open(settings.index, settings.model, settings.max_passage_chars)
    remote = Store.open(on_ray.index, on_ray.model, on_ray.max_passage_chars)
    for mine, theirs in ((remote.passage_vectors, local.passage_vectors),
                         (remote.sentence_vectors, local.sentence_vectors)):  # fmt: skip
        assert mine.shape == theirs.shape
        assert float(np.min(np.sum(mine * theirs, axis=1))) >= 0.9999
    assert build(on_ray).version is None  # nothing changed: no cluster, no model
    listening = set(_listening(_descendants(os.getpid())))  # this process's and the cluster's sockets
    assert listening and listening <= LOOPBACK  # Ray's servers listen on 127.0.0.1 only


def test_index_with_ray_names_an_unreachable_cluster(tmp_path: Path) -> None:
    pytest.importorskip("ray", reason=f"Ray is an optional extra: {INSTALL}")
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    result = CliRunner().invoke(app, ["index", "--corpus", str(make_corpus(tmp_path / "corpus")),
                                      "--index", str(tmp_path / "index"), "--ray", f"127.0.0.1:{port}"])  # fmt: skip
    assert result.exit_code == 1 and f"cannot reach the Ray cluster at 127.0.0.1:{port}" in result.output
    assert not (tmp_path / "index" / "CURRENT").exists()


def test_index_with_ray_says_how_to_install_it_when_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("index.cluster.find_spec", lambda name: None)  # as if Ray were not installed
    result = CliRunner().invoke(app, ["index", "--corpus", str(make_corpus(tmp_path / "corpus")),
                                      "--index", str(tmp_path / "index"), "--ray", "auto"])  # fmt: skip
    assert result.exit_code == 1 and INSTALL in result.output
    assert not (tmp_path / "index").exists() or not any((tmp_path / "index").iterdir())
