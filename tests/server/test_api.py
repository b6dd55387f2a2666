"""The HTTP API through TestClient on the real index: contract shapes, bad inputs, safety headers."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from index.build import BuildReport
from index.embed import Embedder
from server.answer.qa import QA
from server.settings import Settings
from server.web.app import create_app


@pytest.fixture(scope="module")
def client(settings: Settings, embedder: Embedder, built: BuildReport) -> Iterator[TestClient]:
    with TestClient(create_app(settings, embedder)) as client:
        yield client


def test_ask_returns_a_cited_verbatim_answer(client: TestClient) -> None:
    response = client.post("/ask", json={"question": "Where are viral vectors grown?"})
    assert response.status_code == 200
    answer = response.json()
    assert answer["answered"] is True and answer["answer"].endswith("[1]")
    sentence, citation = answer["sentences"][0], answer["citations"][0]
    assert citation["passage"][sentence["start"] - citation["start"] : sentence["end"] - citation["start"]] == (
        sentence["text"]
    )
    assert set(citation) == {"id", "source", "section", "page", "start", "end", "passage", "score"}


def test_ask_uses_history_for_a_follow_up(client: TestClient) -> None:
    answer = client.post("/ask", json={"question": "Is it still maturing?", "history": ["What is CRISPR?"]}).json()
    assert answer["sentences"][0]["text"] == "But this technology is still maturing."


def test_history_keeps_the_last_twenty(client: TestClient) -> None:
    history = ["What is a clinical trial?"] * 30 + ["What is CRISPR?"]
    answer = client.post("/ask", json={"question": "Is it still maturing?", "history": history}).json()
    assert answer["answered"] and "CRISPR" in answer["query"]


def test_off_topic_question_is_answered_false_with_empty_lists(client: TestClient) -> None:
    answer = client.post("/ask", json={"question": "Tell me a joke"}).json()
    assert answer["answered"] is False and answer["sentences"] == [] and answer["citations"] == []


def test_ask_answers_alike_through_the_direct_path_and_the_route(client: TestClient) -> None:
    # application/json takes server.web.app.DirectAsk; another JSON type (application/*+json) takes FastAPI's route.
    body = b'{"question": "Is it still maturing?", "history": ["What is CRISPR?"]}'
    direct = client.post("/ask", content=body, headers={"content-type": "application/json; charset=utf-8"})
    routed = client.post("/ask", content=body, headers={"content-type": "application/vnd.api+json"})
    assert direct.status_code == routed.status_code == 200 and direct.content == routed.content
    for name in ("content-type", "content-length", "content-security-policy", "x-frame-options"):
        assert direct.headers[name] == routed.headers[name]


def test_a_body_that_is_not_json_is_422(client: TestClient) -> None:
    response = client.post("/ask", content=b'{"question": "What is CRISPR?"}', headers={"content-type": "text/plain"})
    assert response.status_code == 422 and response.json()["detail"]


BAD_BODIES = [
    ({}, "question: is required"),
    ({"question": ""}, "question: must not be empty"),
    ({"question": "   \n\t "}, "question: must not be empty"),
    ({"question": None}, "question"),
    ({"question": 42}, "question"),
    ({"question": "x" * 2001}, "question"),
    ({"question": "What is CRISPR?", "history": "What is AAV?"}, "history"),
    ({"question": "What is CRISPR?", "history": [1, 2]}, "history.0"),
    ({"question": "What is CRISPR?", "extra": 1}, "extra: is not a field"),
    ([1, 2], "request body"),
]


@pytest.mark.parametrize(("body", "says"), BAD_BODIES)
def test_bad_body_is_422_saying_what_is_wrong(client: TestClient, body: object, says: str) -> None:
    response = client.post("/ask", json=body)
    assert response.status_code == 422
    assert says in response.json()["detail"]


@pytest.mark.parametrize("raw", [b"{not json", b'{"question": "\xff\xfe"}', b"", b"null"])
def test_undecodable_body_is_422(client: TestClient, raw: bytes) -> None:
    response = client.post("/ask", content=raw, headers={"content-type": "application/json"})
    assert response.status_code == 422 and response.json()["detail"]


def test_huge_body_is_413(client: TestClient) -> None:
    response = client.post("/ask", content=b'{"question": "' + b"a" * 5_000_000 + b'"}',
                           headers={"content-type": "application/json"})  # fmt: skip
    assert response.status_code == 413 and "request body over" in response.json()["detail"]


@pytest.mark.parametrize("question", ["What is CRISPR?\x00\x07", "Qu'est-ce que CRISPR? 基因 🧬", "¿Qué es?", "🧬"])
def test_control_characters_other_scripts_and_emoji_are_answered(client: TestClient, question: str) -> None:
    response = client.post("/ask", json={"question": question})
    assert response.status_code == 200 and isinstance(response.json()["answered"], bool)


def test_healthz_reports_the_loaded_index(client: TestClient) -> None:
    health = client.get("/healthz").json()
    assert health["status"] == "ok" and health["documents"] == 4 and health["model"] == "all-MiniLM-L6-v2"
    assert health["index_version"].startswith("v")


def test_viewer_marks_the_span(client: TestClient) -> None:
    page = client.get("/sources/reports/manufacturing.pdf", params={"start": 0, "end": 13, "view": "text"})
    assert page.status_code == 200 and '<mark id="quote" tabindex="-1">Manufacturing</mark>' in page.text
    as_laid_out = client.get("/sources/reports/manufacturing.pdf", params={"start": 0, "end": 13})
    assert as_laid_out.status_code == 200 and 'class="highlight"' in as_laid_out.text


@pytest.mark.parametrize("path", ["/sources/../pyproject.toml", "/sources/%2e%2e/%2e%2e/etc/passwd",
                                  "/sources/etc/passwd", "/sources/table.csv", "/sources/broken.txt",
                                  "/sources//etc/passwd", "/sources/editing.txt%00"])  # fmt: skip
def test_viewer_serves_only_indexed_documents(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404 and "root:" not in response.text


def test_viewer_refuses_a_span_outside_the_document(client: TestClient) -> None:
    assert client.get("/sources/editing.txt", params={"start": 5, "end": 10**6}).status_code == 422
    assert client.get("/sources/editing.txt", params={"start": -1}).status_code == 422


def test_every_response_has_security_headers(client: TestClient) -> None:
    for response in (client.get("/"), client.post("/ask", json={}), client.get("/healthz")):
        assert "script-src 'self'" in response.headers["content-security-policy"]
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "no-referrer"
    assert "access-control-allow-origin" not in client.get("/healthz", headers={"origin": "http://x.test"}).headers


def test_page_escapes_the_question(client: TestClient) -> None:
    page = client.get("/", params={"q": "<script>alert(1)</script> What is CRISPR?"})
    assert page.status_code == 200
    assert "<script>alert(1)" not in page.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text


def test_form_answers_without_javascript_using_history(client: TestClient) -> None:
    page = client.post("/", data={"question": "Is it still maturing?", "history": ["What is CRISPR?"]})
    assert page.status_code == 200
    assert "But this technology is still maturing." in page.text and "What is CRISPR?" in page.text
    assert 'name="history" value="Is it still maturing?"' in page.text


def test_form_with_blank_question_shows_the_error_on_the_page(client: TestClient) -> None:
    page = client.post("/", data={"question": "   "})
    assert page.status_code == 422 and 'role="alert"' in page.text and "<form" in page.text


def test_openapi_describes_every_endpoint_with_examples(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert {"/ask", "/healthz", "/", "/sources/{source}"} <= set(schema["paths"])
    components = schema["components"]["schemas"]
    assert components["AskRequest"]["examples"] and components["AnswerOut"]["examples"]


def test_first_load_is_one_page_and_two_small_static_files(client: TestClient) -> None:
    page = client.get("/").text
    assert page.count("<script") == 1 and page.count('rel="stylesheet"') == 1
    for asset in ("/static/chat.js", "/static/chat.css"):
        response = client.get(asset)
        assert response.status_code == 200 and len(response.content) < 20_000


def test_an_unexpected_error_is_a_500_problem_with_the_usual_headers(
    settings: Settings, embedder: Embedder, built: BuildReport, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    def broken(*_: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(QA, "ask", broken)
    with TestClient(create_app(settings, embedder), raise_server_exceptions=False) as client, caplog.at_level("INFO"):
        response = client.post("/ask", json={"question": "What is CRISPR?"})
    assert response.status_code == 500 and "a bug" not in response.text
    assert response.json()["detail"].startswith("something went wrong")
    assert response.headers["x-frame-options"] == "DENY" and "script-src 'self'" in response.headers["content-security-policy"]
    assert any('"path": "/ask", "status": 500' in r.getMessage() for r in caplog.records if r.name == "verbatim.access")
