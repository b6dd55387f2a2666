"""The document library through TestClient: the contract's JSON API, uploads checked and stored whole, the trash,
rebuilds, sign-in, CSRF and rate limits."""

import json
import re
import time
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from index.build import BuildReport
from index.embed import Embedder
from index.versions import build_lock, current_version
from server.settings import Settings
from server.web import rebuilds
from server.web.app import create_app
from tests.server.library_site import (
    BEARER,
    BEES_QUESTION,
    FISH,
    FISH_QUESTION,
    FISH_QUOTE,
    TOKEN,
    bees_pdf,
    build_site,
    copy_site,
    listing,
    site_settings,
    wait_rebuild,
)


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Path:
    return build_site(tmp_path_factory.mktemp("library-base"), embedder)


@pytest.fixture
def site(base: Path, tmp_path: Path) -> Path:
    return copy_site(base, tmp_path / "site")


def open_client(settings: Settings, embedder: Embedder, **kwargs: object) -> TestClient:
    return TestClient(create_app(settings, embedder), **kwargs)


@pytest.fixture
def client(site: Path, embedder: Embedder) -> Iterator[TestClient]:
    with open_client(site_settings(site), embedder) as client:
        yield client


def follow(client: TestClient, job: str) -> dict:
    return wait_rebuild(lambda j: client.get(f"/api/rebuilds/{j}", headers=BEARER).json(), job)


def upload(client: TestClient, *files: tuple[str, bytes, str], headers: dict | None = None) -> dict:
    response = client.post("/api/documents", headers=BEARER if headers is None else headers,
                           files=[("file", f) for f in files])  # fmt: skip
    assert response.status_code == 202, response.text
    return response.json()


def signed_in(client: TestClient) -> str:
    """Sign the client's browser in; returns the page's CSRF token."""
    page = client.get("/library")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    response = client.post("/library/signin", data={"token": TOKEN, "csrf": csrf}, follow_redirects=False)
    assert response.status_code == 303, response.text
    return re.search(r'data-csrf="([^"]+)"', client.get("/library").text).group(1)


def test_library_and_its_api_are_404_without_an_admin_token(settings: Settings, embedder: Embedder,
                                                           built: BuildReport) -> None:  # fmt: skip
    with open_client(settings, embedder) as client:
        for method, path in (("GET", "/library"), ("GET", "/api/documents"), ("POST", "/api/documents"),
                             ("DELETE", "/api/documents/vectors.md"), ("GET", "/api/rebuilds/x"),
                             ("POST", "/feedback"), ("POST", "/library/signin")):  # fmt: skip
            assert client.request(method, path, headers=BEARER).status_code == 404, path
        assert "/library" not in client.get("/").text
        assert not any(p.startswith(("/api", "/library", "/feedback")) for p in client.get("/openapi.json").json()["paths"])


def test_the_api_needs_the_bearer_token(client: TestClient) -> None:
    for headers in ({}, {"authorization": "Bearer wrong"}, {"authorization": TOKEN}):
        response = client.get("/api/documents", headers=headers)
        assert response.status_code == 401 and response.headers["www-authenticate"] == "Bearer"
        assert "Bearer" in response.json()["detail"]
    assert client.post("/api/documents", files=[("file", ("a.md", b"# A\n\nText.\n"))]).status_code == 401


def test_documents_have_the_contracts_shape(client: TestClient) -> None:
    body = client.get("/api/documents", headers=BEARER).json()
    assert set(body) == {"documents", "skipped", "index_version"} and body["index_version"].startswith("v")
    by_source = {d["source"]: d for d in body["documents"]}
    assert set(by_source) == {"vectors.md", "editing.txt"}
    vectors = by_source["vectors.md"]
    assert set(vectors) == {"source", "format", "bytes", "pages", "passages", "changed"}
    assert vectors["format"] == "md" and vectors["bytes"] == 603 and vectors["pages"] is None
    assert vectors["passages"] > 1 and re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", vectors["changed"])
    assert body["skipped"] == [{"source": "table.csv", "reason": "not a .txt, .md, .html, .pdf, .docx or .pptx file"}]


def test_an_uploaded_md_and_pdf_are_answered_from_once_the_rebuild_is_done(client: TestClient, tmp_path: Path) -> None:
    before = client.get("/healthz").json()["index_version"]
    assert not client.post("/ask", json={"question": FISH_QUESTION}).json()["answered"]
    sent = upload(client, ("fish.md", FISH.encode(), "text/markdown"),
                  ("bees.pdf", bees_pdf(tmp_path / "bees.pdf"), "application/pdf"))  # fmt: skip
    assert sent["accepted"] == ["fish.md", "bees.pdf"] and sent["rejected"] == []
    result = follow(client, sent["rebuild"])
    assert result == {"state": "done", "added": ["bees.pdf", "fish.md"], "changed": [], "removed": [],
                      "skipped": [{"source": "table.csv", "reason": result["skipped"][0]["reason"]}], "error": None}
    assert client.get("/healthz").json()["index_version"] != before
    answer = client.post("/ask", json={"question": FISH_QUESTION}).json()
    assert answer["answered"] and answer["sentences"][0]["text"] == FISH_QUOTE
    assert answer["citations"][0]["source"] == "fish.md"
    bees = client.post("/ask", json={"question": BEES_QUESTION}).json()
    assert bees["answered"] and bees["citations"][0]["source"] == "bees.pdf" and bees["citations"][0]["page"] == 1
    documents = {d["source"]: d for d in client.get("/api/documents", headers=BEARER).json()["documents"]}
    assert documents["bees.pdf"]["pages"] == 1 and documents["fish.md"]["bytes"] == len(FISH.encode())


REJECTED = [
    (("../evil.md", FISH.encode(), "text/markdown"), "must not hold a path"),
    (("notes/evil.md", FISH.encode(), "text/markdown"), "must not hold a path"),
    (("..\\evil.md", FISH.encode(), "text/markdown"), "must not hold a path"),
    ((".hidden.md", FISH.encode(), "text/markdown"), "hidden files"),
    (("..", FISH.encode(), "text/plain"), "hidden files"),
    (("invoice\u202edm.exe.md", FISH.encode(), "text/markdown"), "control or invisible"),  # right-to-left override
    (("setup.exe", b"MZ\x90\x00" + bytes(100), "application/x-msdownload"), "not a .txt, .md, .html, .pdf"),
    (("report.pdf", b"MZ\x90\x00" + bytes(100), "application/pdf"), "not that of a .pdf file"),
    (("report.pdf", b"%PDF-1.4\n...", "application/x-msdownload"), "content type application/x-msdownload"),
    (("notes.txt", b"caf\xe9 au lait\n", "text/plain"), "not UTF-8 text"),
    (("slides.pptx", b"not a zip at all", "application/octet-stream"), "not that of a .pptx file"),
    (("empty.md", b"", "text/markdown"), "empty"),
    (("big.md", b"# Big\n\n" + b"Words words words. " * 20_000, "text/markdown"), "larger than the limit of 200,000"),
    (("fish.md", (Path(__file__).parents[1] / "data" / "vectors.md").read_bytes(), "text/markdown"),
     "a duplicate of vectors.md"),
]  # fmt: skip


@pytest.mark.parametrize(("file", "says"), REJECTED, ids=[r[1][:20] for r in REJECTED])
def test_a_rejected_file_says_why_and_changes_nothing(client: TestClient, site: Path, file: tuple, says: str) -> None:
    before, version = listing(site), current_version(site / "index")
    sent = upload(client, file)
    assert sent["accepted"] == [] and sent["rejected"][0]["name"] == file[0]
    assert says in sent["rejected"][0]["reason"]
    assert follow(client, sent["rebuild"])["state"] == "done"
    assert listing(site) == before and current_version(site / "index") == version
    assert not list((site / "corpus.trash").iterdir())


def test_good_files_are_kept_beside_rejected_ones_and_a_duplicate_in_one_upload_is_stored_once(
        client: TestClient, site: Path) -> None:  # fmt: skip
    sent = upload(client, ("fish.md", FISH.encode(), "text/markdown"), ("fish-again.md", FISH.encode(), "text/plain"),
                  ("run.exe", b"MZ", "application/octet-stream"))  # fmt: skip
    assert sent["accepted"] == ["fish.md"]
    assert [r["name"] for r in sent["rejected"]] == ["fish-again.md", "run.exe"]
    assert "a duplicate of fish.md" in sent["rejected"][0]["reason"]
    assert (site / "corpus" / "fish.md").read_text() == FISH and not (site / "corpus" / "fish-again.md").exists()


def test_a_name_is_stored_unicode_normalized(client: TestClient, site: Path) -> None:
    decomposed = "Cafe\u0301 notes.md"
    sent = upload(client, (decomposed, FISH.encode(), "text/markdown"))
    assert sent["accepted"] == [unicodedata.normalize("NFC", decomposed)] == ["Café notes.md"]
    assert [p.name for p in (site / "corpus").iterdir() if p.name.startswith("Caf")] == ["Café notes.md"]


def test_a_file_with_a_documents_name_replaces_it_and_the_earlier_one_stays_in_the_trash(
        client: TestClient, site: Path) -> None:  # fmt: skip
    old = (site / "corpus" / "vectors.md").read_bytes()
    sent = upload(client, ("vectors.md", FISH.encode(), "text/markdown"))
    assert sent["accepted"] == ["vectors.md"] and follow(client, sent["rebuild"])["changed"] == ["vectors.md"]
    trashed = client.get("/api/trash", headers=BEARER).json()
    assert [t["source"] for t in trashed] == ["vectors.md"]
    assert (site / "corpus.trash" / trashed[0]["entry"] / "vectors.md").read_bytes() == old


def test_remove_moves_the_file_to_the_trash_and_restore_brings_it_back(client: TestClient, site: Path) -> None:
    follow(client, upload(client, ("fish.md", FISH.encode(), "text/markdown"))["rebuild"])
    response = client.delete("/api/documents/fish.md", headers=BEARER)
    assert response.status_code == 202 and response.json()["removed"] == "fish.md"
    assert follow(client, response.json()["rebuild"])["removed"] == ["fish.md"]
    assert not (site / "corpus" / "fish.md").exists()
    assert not client.post("/ask", json={"question": FISH_QUESTION}).json()["answered"]
    [trashed] = client.get("/api/trash", headers=BEARER).json()
    assert trashed["source"] == "fish.md" and (site / "corpus.trash" / trashed["entry"] / "fish.md").read_text() == FISH
    restored = client.post(f"/api/trash/{trashed['entry']}/restore", headers=BEARER)
    assert restored.status_code == 202 and restored.json()["restored"] == "fish.md"
    assert follow(client, restored.json()["rebuild"])["added"] == ["fish.md"]
    assert client.post("/ask", json={"question": FISH_QUESTION}).json()["sentences"][0]["text"] == FISH_QUOTE
    assert client.get("/api/trash", headers=BEARER).json() == []


@pytest.mark.parametrize("source", ["nope.md", "../corpus.trash", "%2e%2e/index/CURRENT", "table.csv/x",
                                    "..%2fcorpus%2fvectors.md", ".hidden"])  # fmt: skip
def test_removing_what_is_not_a_corpus_file_is_404(client: TestClient, site: Path, source: str) -> None:
    before = listing(site)
    response = client.delete(f"/api/documents/{source}", headers=BEARER)
    assert response.status_code == 404 and response.json()["detail"]
    assert listing(site) == before


def test_the_last_document_is_not_removed_and_restoring_over_a_file_is_refused(client: TestClient) -> None:
    follow(client, client.delete("/api/documents/editing.txt", headers=BEARER).json()["rebuild"])
    response = client.delete("/api/documents/vectors.md", headers=BEARER)
    assert response.status_code == 409 and "only indexed document" in response.json()["detail"]
    [trashed] = client.get("/api/trash", headers=BEARER).json()
    upload(client, ("editing.txt", FISH.encode(), "text/plain"))
    refused = client.post(f"/api/trash/{trashed['entry']}/restore", headers=BEARER)
    assert refused.status_code == 409 and "in the corpus again" in refused.json()["detail"]
    assert client.post("/api/trash/nothing-here/restore", headers=BEARER).status_code == 404


def test_an_unknown_rebuild_is_404(client: TestClient) -> None:
    assert client.get("/api/rebuilds/r123", headers=BEARER).status_code == 404


def test_a_failed_rebuild_says_why_and_keeps_the_served_version(client: TestClient, site: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    def broken(*_: object, **__: object) -> None:
        raise OSError("no space left on device")

    monkeypatch.setattr(rebuilds, "build_index", broken)
    version = client.get("/healthz").json()["index_version"]
    sent = upload(client, ("fish.md", FISH.encode(), "text/markdown"))
    result = follow(client, sent["rebuild"])
    assert result["state"] == "failed" and result["error"] == "no space left on device"
    assert client.get("/healthz").json()["index_version"] == version == current_version(site / "index").name
    assert client.post("/ask", json={"question": "Do lentiviruses integrate into the genome?"}).json()["answered"]


def test_rebuilds_wait_for_another_build_and_stream_their_progress(client: TestClient, site: Path) -> None:
    with build_lock(site / "index"):
        job = upload(client, ("fish.md", FISH.encode(), "text/markdown"))["rebuild"]
        time.sleep(0.5)
        assert client.get(f"/api/rebuilds/{job}", headers=BEARER).json()["state"] == "running"
        second = upload(client, ("more.md", b"# More\n\nOctopuses have three hearts.\n", "text/markdown"))["rebuild"]
        third = client.delete("/api/documents/editing.txt", headers=BEARER).json()["rebuild"]
        assert second == third != job  # queued behind the waiting one: joined
    with client.stream("GET", f"/api/rebuilds/{job}/events", headers=BEARER) as events:
        assert events.headers["content-type"].startswith("text/event-stream")
        sent = [json.loads(line[6:]) for line in events.iter_lines() if line.startswith("data: ")]
    assert sent[-1]["state"] == "done" and sent[-1]["files_total"] == 4 and sent[-1]["to_embed"] > 0
    # The first read the corpus once the lock was free: it holds every change; the second finds nothing to do.
    assert (sent[-1]["added"], sent[-1]["removed"]) == (["fish.md", "more.md"], ["editing.txt"])
    assert follow(client, second)["state"] == "done" and follow(client, second)["added"] == []


def test_sign_in_gives_a_strict_httponly_expiring_cookie(site: Path, embedder: Embedder) -> None:
    for base_url, secure in (("http://testserver", False), ("https://testserver", True)):
        with open_client(site_settings(site, session_hours=2), embedder, base_url=base_url) as client:
            page = client.get("/library")
            assert page.status_code == 200 and 'action="/library/signin"' in page.text
            assert page.headers["cache-control"] == "no-store"
            csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
            response = client.post("/library/signin", data={"token": TOKEN, "csrf": csrf}, follow_redirects=False)
            assert response.status_code == 303 and response.headers["location"] == "/library"
            cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith("verbatim_session="))
            assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Max-Age=7200" in cookie
            assert ("Secure" in cookie) is secure
            assert 'action="/library/upload"' in client.get("/library").text


def test_a_wrong_token_is_slowed_logged_and_signs_nobody_in(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/library").text).group(1)
    began = time.monotonic()
    with caplog.at_level("WARNING", logger="verbatim"):
        response = client.post("/library/signin", data={"token": "guess", "csrf": csrf})
    assert time.monotonic() - began >= 0.5
    assert response.status_code == 401 and "not the library" in response.text and "verbatim_session" not in response.headers.get("set-cookie", "")
    assert any("failed library sign-in from testclient" in r.getMessage() for r in caplog.records)
    assert 'action="/library/signin"' in client.get("/library").text
    missing = client.post("/library/signin", data={"token": TOKEN})
    assert missing.status_code == 403 and "expired" in missing.text


def test_sign_in_is_rate_limited_per_client(site: Path, embedder: Embedder) -> None:
    with open_client(site_settings(site, signin_per_minute=2), embedder) as client:
        statuses = [client.post("/library/signin", data={"token": "x", "csrf": "y"}) for _ in range(3)]
    assert [r.status_code for r in statuses] == [403, 403, 429]
    assert int(statuses[-1].headers["retry-after"]) > 0 and "Too many sign-in attempts" in statuses[-1].text


def test_forms_and_the_api_without_the_csrf_token_change_nothing(client: TestClient, site: Path) -> None:
    csrf = signed_in(client)
    before = listing(site)
    refused = client.post("/library/upload", files=[("file", ("fish.md", FISH.encode(), "text/markdown"))])
    assert refused.status_code == 403 and "security token is missing or wrong" in refused.text
    wrong = client.post("/library/upload", data={"csrf": "forged"}, files=[("file", ("fish.md", FISH.encode()))])
    assert wrong.status_code == 403
    assert client.post("/library/remove", data={"source": "vectors.md"}).status_code == 403
    assert client.delete("/api/documents/vectors.md").status_code == 403
    assert client.post("/library/rebuild", data={"csrf": ""}).status_code == 403
    assert listing(site) == before
    assert client.delete("/api/documents/editing.txt", headers={"x-csrf-token": csrf}).status_code == 202


def test_the_page_without_javascript_uploads_lists_and_removes(client: TestClient, site: Path) -> None:
    csrf = signed_in(client)
    page = client.post("/library/upload", data={"csrf": csrf},
                       files=[("file", ("fish.md", FISH.encode(), "text/markdown")), ("file", ("x.exe", b"MZ"))])  # fmt: skip
    assert page.status_code == 200 and "Added: fish.md" in page.text and "<strong>x.exe</strong>: not a .txt" in page.text
    job = re.search(r'data-rebuild="([^"]+)"', page.text).group(1)
    assert follow(client, job)["state"] == "done"
    listed = client.get(f"/library?rebuild={job}").text
    assert "Now serving" in listed and 'href="/sources/fish.md"' in listed and "table.csv</strong>: not a .txt" in listed
    row = re.search(r'<tr data-source="vectors.md">(.*?)</tr>', listed, re.DOTALL).group(1)
    cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.DOTALL)]
    assert cells[1:6] == ["md", "603 B", "", "6", "3"] and cells[7].startswith("v")
    removed = client.post("/library/remove", data={"csrf": csrf, "source": "fish.md"})
    assert "fish.md is in the trash" in removed.text and not (site / "corpus" / "fish.md").exists()
    entry = re.search(r'name="entry" value="([^"]+)"', removed.text).group(1)
    assert "fish.md is back" in client.post("/library/restore", data={"csrf": csrf, "entry": entry}).text


def test_sign_out_ends_the_session(client: TestClient) -> None:
    csrf = signed_in(client)
    cookie = client.cookies.get("verbatim_session")
    assert client.post("/library/signout", data={"csrf": csrf}, follow_redirects=False).status_code == 303
    client.cookies.set("verbatim_session", cookie)
    assert 'action="/library/signin"' in client.get("/library").text
    assert client.get("/api/documents").status_code == 401


def test_questions_are_rate_limited_per_client_with_retry_after(site: Path, embedder: Embedder) -> None:
    with open_client(site_settings(site, ask_per_minute=2), embedder) as client:
        statuses = [client.post("/ask", json={"question": "What is CRISPR?"}).status_code for _ in range(2)]
        limited = client.post("/ask", json={"question": "What is CRISPR?"})
        assert statuses == [200, 200] and limited.status_code == 429
        assert int(limited.headers["retry-after"]) >= 1 and "too many questions" in limited.json()["detail"]
        assert client.get("/?q=What+is+CRISPR%3F").status_code == 429
        assert client.get("/healthz").status_code == 200 and client.get("/").status_code == 200
