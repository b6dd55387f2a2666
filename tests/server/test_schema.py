"""Property-based run of schemathesis against /openapi.json on the real app: no 5xx, no schema violation."""

from collections.abc import Iterator

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import negative_data_rejection

from index.build import BuildReport
from index.embed import Embedder
from server.settings import Settings
from server.web.app import create_app


@pytest.fixture(scope="module")
def app(settings: Settings, embedder: Embedder, built: BuildReport) -> Iterator[FastAPI]:
    app = create_app(settings, embedder)
    with TestClient(app):  # runs the lifespan: the engine stays loaded in app.state for the calls below
        yield app


@pytest.fixture(scope="module")
def api_schema(app: FastAPI) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_asgi("/openapi.json", app)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@hypothesis_settings(max_examples=40, deadline=None, derandomize=True,
                     suppress_health_check=list(HealthCheck))  # fmt: skip
def test_api_honours_its_schema(case: schemathesis.Case) -> None:
    response = case.call()
    assert response.status_code < 500, response.text
    # A query string or a form has no types: `q=1.5` is text to the chat page as to any browser, so "negative"
    # data that merely looks numeric is fine there. Everything else, /ask's JSON included, is checked in full.
    page = case.operation.path == "/"
    case.validate_response(response, excluded_checks=[negative_data_rejection] if page else None)
