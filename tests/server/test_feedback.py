"""Feedback on answers and the questions the documents don't answer: stored in SQLite beside the index, grouped by
meaning on the library page, exported as a question file for `verbatim eval`."""

import json
import re
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from index.build import BuildReport
from index.embed import Embedder
from server.answer.evaluate import read_questions
from server.cli import app as cli
from server.settings import Settings
from server.web.app import create_app
from server.web.db import database_path
from tests.server.library_site import TOKEN, build_site, copy_site, site_settings

ANSWERABLE = "Do lentiviruses integrate into the genome?"
# Two wordings of one question the documents never answer, and one other.
WORLD_CUP = ["Who won the 1998 football World Cup?", "Which team won the 1998 World Cup?"]
PERU = "What is the capital of Peru?"


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Path:
    return build_site(tmp_path_factory.mktemp("feedback-base"), embedder)


@pytest.fixture
def site(base: Path, tmp_path: Path) -> Path:
    return copy_site(base, tmp_path / "site")


@pytest.fixture
def client(site: Path, embedder: Embedder) -> Iterator[TestClient]:
    with TestClient(create_app(site_settings(site, log_questions=True), embedder)) as client:
        yield client


def rows(site: Path, table: str) -> list[sqlite3.Row]:
    time.sleep(0.2)  # writes are queued to the database's one writer
    with sqlite3.connect(database_path(site_settings(site))) as db:
        db.row_factory = sqlite3.Row
        return db.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()


def rate(client: TestClient, query: str, helpful: bool, **extra: object) -> int:
    version = client.get("/healthz").json()["index_version"]
    body = {"query": query, "history": [], "helpful": helpful, "index_version": version, **extra}
    return client.post("/feedback", json=body).status_code


def test_feedback_is_stored_with_the_answers_quotes_citations_and_version(client: TestClient, site: Path) -> None:
    assert rate(client, ANSWERABLE, False, note="It should say which cells.") == 204
    assert client.post("/feedback", json={"query": "Is it still maturing?", "history": ["What is CRISPR?"],
                                          "helpful": True, "index_version": "v1"}).status_code == 204  # fmt: skip
    first, second = rows(site, "feedback")
    assert first["query"] == ANSWERABLE and first["helpful"] == 0 and first["note"] == "It should say which cells."
    assert first["index_version"] == client.get("/healthz").json()["index_version"] and first["answered"] == 1
    [quote] = [s for s in json.loads(first["sentences"]) if "Lentiviruses" in s["text"]]
    citation = json.loads(first["citations"])[quote["citation"] - 1]
    assert citation["source"] == "vectors.md" and citation["start"] <= quote["start"] < quote["end"] <= citation["end"]
    assert json.loads(second["history"]) == ["What is CRISPR?"] and second["helpful"] == 1
    assert "maturing" in json.loads(second["sentences"])[0]["text"]


BAD = [({"note": "x" * 2001}, "note"), ({"helpful": None}, "helpful"), ({"query": "  "}, "query"),
       ({"extra": 1}, "extra"), ({"history": "What is CRISPR?"}, "history")]  # fmt: skip


@pytest.mark.parametrize(("change", "says"), BAD)
def test_bad_feedback_is_422_saying_what_is_wrong(client: TestClient, site: Path, change: dict, says: str) -> None:
    body = {"query": ANSWERABLE, "history": [], "helpful": True, "index_version": "v1", **change}
    response = client.post("/feedback", json={k: v for k, v in body.items() if v is not None})
    assert response.status_code == 422 and says in response.json()["detail"]
    assert rows(site, "feedback") == []


def test_feedback_is_404_without_an_admin_token(settings: Settings, embedder: Embedder, built: BuildReport) -> None:
    with TestClient(create_app(settings, embedder)) as client:
        body = {"query": ANSWERABLE, "history": [], "helpful": True, "index_version": "v1"}
        assert client.post("/feedback", json=body).status_code == 404


def test_abstentions_are_stored_with_reason_and_missing_terms_only_when_logging(client: TestClient, site: Path,
                                                                               embedder: Embedder) -> None:  # fmt: skip
    client.post("/ask", json={"question": WORLD_CUP[0]})
    client.post("/", data={"question": PERU})  # the chat's form without JavaScript
    client.post("/ask", json={"question": ANSWERABLE})
    first, second = rows(site, "unanswered")
    assert first["question"] == WORLD_CUP[0] and "1998" in json.loads(first["missing_terms"])
    assert first["reason"].startswith("The documents do not answer this question")
    assert first["index_version"].startswith("v") and len(first["vector"]) == 4 * embedder.dim
    assert second["question"] == PERU
    quiet = copy_site(site, site.parent / "quiet")
    database_path(site_settings(quiet)).unlink()
    with TestClient(create_app(site_settings(quiet, admin_token=None), embedder)) as silent:
        assert not silent.post("/ask", json={"question": PERU}).json()["answered"]
    assert not database_path(site_settings(quiet)).exists()


def test_the_library_shows_unanswered_questions_grouped_most_asked_first_with_unhelpful_feedback(
        client: TestClient) -> None:  # fmt: skip
    for question in (PERU, *WORLD_CUP, WORLD_CUP[0]):
        assert not client.post("/ask", json={"question": question}).json()["answered"]
    assert rate(client, WORLD_CUP[1], False, note="Please add the 1998 final.") == 204
    assert rate(client, ANSWERABLE, False, note="Too short.") == 204
    time.sleep(0.3)
    csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/library").text).group(1)
    client.post("/library/signin", data={"token": TOKEN, "csrf": csrf})
    page = client.get("/library").text
    groups = re.findall(r'<li class="group">(.*?)</li>', page, re.DOTALL)
    assert len(groups) == 2
    assert '3×</span> <q>Who won the 1998 football World Cup?</q>' in groups[0]
    assert "Which team won the 1998 World Cup?" in groups[0] and "Please add the 1998 final." in groups[0]
    assert f"1×</span> <q>{PERU}</q>" in groups[1]
    assert "Too short." in page.split('<li class="group">')[-1]  # an answered question's feedback, on its own


def test_feedback_export_writes_a_question_file_that_eval_reads(client: TestClient, site: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    for question in (*WORLD_CUP, PERU):
        client.post("/ask", json={"question": question})
    rate(client, ANSWERABLE, False, note="Too short.")
    time.sleep(0.3)
    monkeypatch.setenv("VERBATIM_INDEX", str(site / "index"))
    out = site / "gaps.jsonl"
    result = CliRunner().invoke(cli, ["feedback", "export", "--out", str(out), "--unhelpful"])
    assert result.exit_code == 0, result.output
    questions = read_questions(out)
    assert [(q.question, q.kind) for q in questions] == [(WORLD_CUP[0], "unanswerable"), (PERU, "unanswerable"),
                                                         (ANSWERABLE, "answerable")]  # fmt: skip
    assert json.loads(out.read_text().splitlines()[0])["asked"] == 2


def test_feedback_export_says_when_there_is_no_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VERBATIM_INDEX", str(tmp_path / "index"))
    result = CliRunner().invoke(cli, ["feedback", "export"])
    assert result.exit_code == 1 and "no feedback database" in result.output


def test_the_database_is_in_wal_mode(client: TestClient, site: Path) -> None:
    with sqlite3.connect(database_path(site_settings(site))) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
