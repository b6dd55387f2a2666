"""Rebuilding while serving: answers follow the corpus, swaps lose no request, crashes and damage change nothing."""

import json
import os
import shutil
import signal
import subprocess
import threading
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from wordfreq import get_frequency_dict

from index.build import BuildReport, build_index
from index.embed import Embedder
from index.store import Store
from index.versions import TEMP_PREFIX, BuildLocked, build_lock, current_version
from server.answer.terms import _common_english
from server.settings import Settings
from server.web.app import create_app
from server.web.live import LiveQA
from tests.browser import live_server
from tests.server.test_cli import VERBATIM

BASE = "Gene therapy\n\nGene therapy modifies genetic material inside a person's cells.\n"
ZEBRAFISH = "Zebrafish\n\nZebrafish regrow their heart muscle after injury within two months.\n"


@pytest.fixture
def setup(tmp_path: Path, embedder: Embedder) -> Settings:
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "base.txt").write_text(BASE)
    settings = Settings(corpus=tmp_path / "corpus", index=tmp_path / "index", reload_seconds=0.2,
                        admin_token="s3cret")  # fmt: skip
    rebuild(settings, embedder)
    return settings


def rebuild(settings: Settings, embedder: Embedder) -> str | None:
    return build_index(settings.corpus, settings.index, settings.model, settings.max_passage_chars,
                       embedder=lambda: embedder).version  # fmt: skip


def test_answers_follow_added_changed_and_removed_documents(setup: Settings, embedder: Embedder) -> None:
    live = LiveQA(setup, embedder)
    assert not live.current().ask("How fast do zebrafish regrow heart muscle?").answered
    (setup.corpus / "fish.txt").write_text(ZEBRAFISH)
    rebuild(setup, embedder)
    live.reload()
    answer = live.current().ask("How fast do zebrafish regrow heart muscle?")
    assert answer.answered and "within two months" in answer.sentences[0].text
    (setup.corpus / "fish.txt").write_text(ZEBRAFISH.replace("two months", "six weeks"))
    rebuild(setup, embedder)
    live.reload()
    assert "within six weeks" in live.current().ask("How fast do zebrafish regrow heart muscle?").sentences[0].text
    (setup.corpus / "fish.txt").unlink()
    rebuild(setup, embedder)
    live.reload()
    store = live.current().store
    assert "fish.txt" not in store.documents and not any("Zebrafish" in s.text for s in store.sentences)
    assert not live.current().ask("How fast do zebrafish regrow heart muscle?").answered


def _ask(url: str, question: str) -> int:
    request = urllib.request.Request(f"{url}/ask", json.dumps({"question": question}).encode(),
                                     {"content-type": "application/json"})  # fmt: skip
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.status


def _version(url: str) -> str:
    with urllib.request.urlopen(f"{url}/healthz", timeout=10) as response:
        return json.load(response)["index_version"]


def test_server_under_concurrent_requests_swaps_to_a_rebuild_without_failures(setup: Settings,
                                                                             embedder: Embedder) -> None:  # fmt: skip
    env = {"VERBATIM_CORPUS": str(setup.corpus), "VERBATIM_INDEX": str(setup.index), "VERBATIM_RELOAD_SECONDS": "0.2"}
    with live_server(env) as (url, _):
        before = _version(url)
        stop = threading.Event()
        statuses: list[int] = []

        def hammer() -> None:
            for _ in range(400):  # bounded in count and in time
                if stop.is_set():
                    return
                try:
                    statuses.append(_ask(url, "What does gene therapy modify?"))
                except OSError as error:
                    statuses.append(getattr(error, "code", 0))

        with ThreadPoolExecutor(4) as pool:
            workers = [pool.submit(hammer) for _ in range(4)]
            time.sleep(1)
            (setup.corpus / "fish.txt").write_text(ZEBRAFISH)
            after = rebuild(setup, embedder)
            deadline = time.monotonic() + 30
            while _version(url) != after and time.monotonic() < deadline:
                time.sleep(0.2)
            time.sleep(1)
            stop.set()
            for worker in workers:
                worker.result()
        assert before != after and _version(url) == after
        assert statuses and set(statuses) == {200}, sorted(set(statuses))
        assert _ask(url, "How fast do zebrafish regrow heart muscle?") == 200


def test_killed_build_leaves_the_index_serving_and_the_next_build_succeeds(setup: Settings,
                                                                          embedder: Embedder) -> None:  # fmt: skip
    before = current_version(setup.index)
    long = " ".join(f"Sentence number {i} tells of vector batch {i} grown in bioreactor {i}." for i in range(1500))
    (setup.corpus / "long.txt").write_text(long)
    env = {**os.environ, "VERBATIM_CORPUS": str(setup.corpus), "VERBATIM_INDEX": str(setup.index)}
    build = subprocess.Popen([VERBATIM, "index"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not list(setup.index.glob(f"{TEMP_PREFIX}*")) and time.monotonic() < deadline and build.poll() is None:
        time.sleep(0.05)
    time.sleep(0.5)
    assert build.poll() is None, "the build finished before it could be killed"
    os.kill(build.pid, signal.SIGKILL)
    build.wait()
    assert current_version(setup.index) == before
    store = Store.open(setup.index, setup.model, setup.max_passage_chars)
    assert "long.txt" not in store.documents
    assert LiveQA(setup, embedder).current().ask("What does gene therapy modify?").answered
    assert rebuild(setup, embedder) is not None
    assert not list(setup.index.glob(f"{TEMP_PREFIX}*"))
    assert "long.txt" in Store.open(setup.index, setup.model, setup.max_passage_chars).documents


def test_second_concurrent_build_waits_for_the_first(setup: Settings, embedder: Embedder) -> None:
    said: list[str] = []
    with build_lock(setup.index):
        with pytest.raises(BuildLocked, match=f"pid {os.getpid()}"), build_lock(setup.index):
            pass
        (setup.corpus / "fish.txt").write_text(ZEBRAFISH)
        second = threading.Thread(target=lambda: build_index(
            setup.corpus, setup.index, setup.model, setup.max_passage_chars, embedder=lambda: embedder,
            on_wait=said.append))  # fmt: skip
        second.start()
        time.sleep(1)
        assert second.is_alive() and said and "another build" in said[0]
    second.join(timeout=60)
    assert not second.is_alive()
    assert "fish.txt" in Store.open(setup.index, setup.model, setup.max_passage_chars).documents


@pytest.fixture
def client(setup: Settings, embedder: Embedder) -> Iterator[TestClient]:
    with TestClient(create_app(setup, embedder)) as client:
        yield client


def test_damaged_version_is_refused_while_the_old_one_keeps_serving(setup: Settings, client: TestClient) -> None:
    good = current_version(setup.index)
    damaged = setup.index / "v99999999-damaged"
    shutil.copytree(good, damaged)
    (damaged / "passages.npy").write_bytes(b"\x93NUMPY")  # truncated
    (setup.index / "CURRENT").write_text(damaged.name + "\n")
    response = client.post("/admin/reload", headers={"authorization": "Bearer s3cret"})
    assert response.status_code == 503 and "damaged" in response.json()["detail"]
    time.sleep(0.3)
    assert client.get("/healthz").json()["index_version"] == good.name
    assert client.post("/ask", json={"question": "What does gene therapy modify?"}).json()["answered"]


def test_admin_reload_needs_the_token(setup: Settings, client: TestClient, embedder: Embedder) -> None:
    assert client.post("/admin/reload").status_code == 401
    assert client.post("/admin/reload", headers={"authorization": "Bearer wrong"}).status_code == 401
    (setup.corpus / "fish.txt").write_text(ZEBRAFISH)
    version = rebuild(setup, embedder)
    response = client.post("/admin/reload", headers={"authorization": "Bearer s3cret"})
    assert response.status_code == 200 and response.json() == {"index_version": version}


def test_admin_reload_is_off_without_a_token(settings: Settings, embedder: Embedder, built: BuildReport) -> None:
    with TestClient(create_app(settings, embedder)) as client:
        assert client.post("/admin/reload", headers={"authorization": "Bearer anything"}).status_code == 404


def test_the_word_lists_are_read_before_the_first_question(setup: Settings, embedder: Embedder) -> None:
    # Read lazily, they cost the first question ~0.1 s (docs/experiments.md, a fresh server's first answers): the
    # server reads them as it starts.
    get_frequency_dict.cache_clear()
    _common_english.cache_clear()
    LiveQA(setup, embedder)
    assert get_frequency_dict.cache_info().currsize == 1
    assert _common_english.cache_info().currsize == 1
