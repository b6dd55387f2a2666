"""The library against a real `verbatim serve` process: a refused body's 413 reaches urllib, and a server killed
(SIGKILL) during an upload or a rebuild leaves only whole files and the last good version, and redoes the rebuild."""

import json
import os
import re
import signal
import socket
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from index.build import BuildReport
from index.embed import Embedder
from index.runtime import export_folder
from index.store import Store
from index.versions import TEMP_PREFIX as BUILDING
from index.versions import current_version
from ingest.load import corpus_files
from server.settings import Settings
from server.web.library import TEMP_PREFIX as UPLOADING
from tests.browser import live_server
from tests.server.library_site import BEARER, TOKEN, build_site, wait_rebuild

LONG = "# Bioreactor log\n\n" + "\n\n".join(
    f"Batch {i} of vector lot {i % 17} was grown for {i % 9 + 2} days in tank {i % 5}." for i in range(900))


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, settings: Settings, embedder: Embedder, built: BuildReport) -> Path:
    return build_site(tmp_path_factory.mktemp("server-site"), embedder, export_folder(settings.index, settings.model).parent)


def env(site: Path) -> dict[str, str]:
    return {"VERBATIM_CORPUS": str(site / "corpus"), "VERBATIM_INDEX": str(site / "index"),
            "VERBATIM_ADMIN_TOKEN": TOKEN, "VERBATIM_RELOAD_SECONDS": "0.2"}  # fmt: skip


def call(url: str, method: str = "GET", body: bytes | None = None, headers: dict | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(url, body, {**BEARER, **(headers or {})}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def multipart(name: str, content: bytes, boundary: str = "vbtest") -> tuple[bytes, dict]:
    head = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: text/markdown\r\n\r\n").encode()  # fmt: skip
    return head + content + f"\r\n--{boundary}--\r\n".encode(), {"content-type": f"multipart/form-data; boundary={boundary}"}


def visible(site: Path) -> dict[str, bytes]:
    return {doc: path.read_bytes() for path, doc in corpus_files(site / "corpus")}


def test_a_5_mb_question_from_urllib_gets_a_readable_413(site: Path) -> None:
    with live_server(env(site)) as (url, _):
        body = b'{"question": "' + b"a" * 5_000_000 + b'"}'
        for _ in range(3):  # urllib sends all of the body (with Connection: close) before it reads the answer
            status, answer = call(f"{url}/ask", "POST", body, {"content-type": "application/json"})
            assert status == 413 and "request body over 64000 bytes" in answer["detail"]
        status, answer = call(f"{url}/api/documents", "POST", b"x" * 300_000, {"authorization": "Bearer wrong",
                                                                              "content-type": "text/plain"})  # fmt: skip
        assert status == 401


def test_a_server_killed_during_an_upload_keeps_only_whole_files(site: Path) -> None:
    before, version = visible(site), current_version(site / "index")
    body, headers = multipart("big.md", b"# Big\n\n" + b"Octopuses have three hearts. " * 6000)
    with live_server(env(site)) as (url, process):
        port = int(url.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port)) as connection:
            connection.sendall((f"POST /api/documents HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {TOKEN}\r\n"
                                f"Content-Type: {headers['content-type']}\r\nContent-Length: {len(body)}\r\n\r\n").encode()
                               + body[: len(body) // 2])  # fmt: skip
            deadline = time.monotonic() + 30
            while not list((site / "corpus").glob(f"{UPLOADING}*")) and time.monotonic() < deadline:
                time.sleep(0.05)
            assert list((site / "corpus").glob(f"{UPLOADING}*")), "the upload never reached the disk"
            os.kill(process.pid, signal.SIGKILL)
            process.wait()
    assert visible(site) == before and current_version(site / "index") == version
    with live_server(env(site)) as (url, _):  # the next start clears the half-written temporary file
        assert not list((site / "corpus").glob(f"{UPLOADING}*"))
        status, sent = call(f"{url}/api/documents", "POST", *multipart("big.md", b"# Big\n\nSquids have three hearts.\n"))
        assert status == 202 and sent["accepted"] == ["big.md"]
        assert wait_rebuild(lambda j: call(f"{url}/api/rebuilds/{j}")[1], sent["rebuild"])["state"] == "done"
        status, _ = call(f"{url}/api/documents/big.md", "DELETE")
        assert status == 202


def test_a_server_killed_during_a_rebuild_keeps_the_last_good_version_and_rebuilds_when_started_again(
        site: Path, embedder: Embedder) -> None:  # fmt: skip
    version = current_version(site / "index")
    body, headers = multipart("log.md", LONG.encode())
    with live_server(env(site)) as (url, process):
        status, sent = call(f"{url}/api/documents", "POST", body, headers)
        assert status == 202 and sent["accepted"] == ["log.md"]
        deadline = time.monotonic() + 60
        while not list((site / "index").glob(f"{BUILDING}*")) and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)
        assert call(f"{url}/api/rebuilds/{sent['rebuild']}")[1]["state"] == "running", "finished before the kill"
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
    assert current_version(site / "index") == version
    assert "log.md" not in Store.open(site / "index", "all-MiniLM-L6-v2", 700).documents
    assert visible(site)["log.md"] == LONG.encode()  # the upload was whole before the rebuild began
    with live_server(env(site)) as (url, _):
        status, old = call(f"{url}/api/rebuilds/{sent['rebuild']}")
        assert old["state"] == "failed" and "the server stopped during this rebuild" in old["error"]
        again = re.search(r"started again as (\S+)", old["error"]).group(1)
        result = wait_rebuild(lambda j: call(f"{url}/api/rebuilds/{j}")[1], again, timeout=240)
        assert result["state"] == "done" and result["added"] == ["log.md"]
        status, answer = call(f"{url}/ask", "POST", json.dumps({"question": "How many days was batch 40 grown?"}).encode(),
                              {"content-type": "application/json"})  # fmt: skip
        assert answer["answered"] and answer["citations"][0]["source"] == "log.md"
    assert not list((site / "index").glob(f"{BUILDING}*"))
