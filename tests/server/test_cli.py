"""The installed `verbatim` console script, end to end, in its own process."""

import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from index.versions import current_version
from server.settings import Settings

VERBATIM = shutil.which("verbatim", path=str(Path(sys.executable).parent)) or "verbatim"


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([VERBATIM, *args], env={**os.environ, **env}, capture_output=True, text=True,
                          timeout=300, check=False)  # fmt: skip


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory, settings: Settings) -> tuple[dict, subprocess.CompletedProcess]:
    """A copy of the test corpus, and what `verbatim index` printed when it first indexed it."""
    root = tmp_path_factory.mktemp("cli")
    shutil.copytree(settings.corpus, root / "corpus")
    env = {"VERBATIM_CORPUS": str(root / "corpus"), "VERBATIM_INDEX": str(root / "index")}
    return env, run(env, "index")


@pytest.fixture
def env(indexed: tuple[dict, subprocess.CompletedProcess]) -> dict[str, str]:
    return indexed[0]


def test_index_prints_what_changed_and_what_was_skipped(indexed: tuple[dict, subprocess.CompletedProcess]) -> None:
    env, result = indexed
    assert result.returncode == 0, result.stderr
    assert "Added (5): broken.txt, editing.txt, reports/manufacturing.pdf, trials.html, vectors.md" in result.stdout
    assert "Indexed 4 documents" in result.stdout
    assert "broken.txt: skipped, not valid UTF-8" in result.stderr
    again = run(env, "index")
    assert again.returncode == 0 and "Index is up to date: 4 documents" in again.stdout


def test_ask_json_prints_the_answer_object(env: dict[str, str]) -> None:
    result = run(env, "ask", "Where are viral vectors grown?", "--json")
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["answered"] is True
    assert {"answered", "answer", "sentences", "citations"} <= set(answer)
    assert answer["citations"][0]["source"] == "reports/manufacturing.pdf"
    assert "bioreactors" in answer["sentences"][0]["text"]


def test_ask_prints_a_readable_answer_with_sources(env: dict[str, str]) -> None:
    result = run(env, "ask", "Is it still maturing?", "--history", "What is CRISPR?")
    assert result.returncode == 0, result.stderr
    assert "But this technology is still maturing. [1]" in result.stdout
    assert "Sources:\n[1] editing.txt, Genome editing" in result.stdout


def test_eval_prints_metrics_and_writes_answers(env: dict[str, str], tmp_path: Path) -> None:
    questions = tmp_path / "q.jsonl"
    rows = [
        {"id": "a", "question": "Where are viral vectors grown?", "kind": "answerable", "gold": ["bioreactors"]},
        {"id": "f", "question": "Is it still maturing?", "kind": "followup", "gold": ["still maturing"],
         "history": ["What is CRISPR?"]},
        {"id": "u", "question": "Who won the 2018 World Cup?", "kind": "unanswerable", "gold": []},
    ]  # fmt: skip
    questions.write_text("".join(json.dumps(r) + "\n" for r in rows))
    result = run(env, "eval", str(questions), "--json", "--out", str(tmp_path / "answers.jsonl"))
    assert result.returncode == 0, result.stderr
    metrics = json.loads(result.stdout)
    assert (metrics["hit@1"], metrics["hit"], metrics["abstain"], metrics["verbatim"]) == (1.0, 1.0, 1.0, 1.0)
    written = [json.loads(line) for line in (tmp_path / "answers.jsonl").read_text().splitlines()]
    assert [w["id"] for w in written] == ["a", "f", "u"] and written[2]["answer"]["answered"] is False


def test_ask_without_an_index_says_to_build_it(tmp_path: Path) -> None:
    result = run({"VERBATIM_INDEX": str(tmp_path / "none")}, "ask", "What is CRISPR?")
    assert result.returncode == 1 and "run `verbatim index` first" in result.stderr
    assert "Traceback" not in result.stderr


def test_index_of_a_missing_corpus_is_a_clear_error(tmp_path: Path) -> None:
    result = run({"VERBATIM_CORPUS": str(tmp_path / "none"), "VERBATIM_INDEX": str(tmp_path / "i")}, "index")
    assert result.returncode == 1 and "does not exist" in result.stderr and "Traceback" not in result.stderr


def test_index_on_a_device_torch_cannot_use_is_a_clear_error_and_builds_nothing(tmp_path: Path,
                                                                                 settings: Settings) -> None:  # fmt: skip
    shutil.copytree(settings.corpus, tmp_path / "corpus")
    env = {"VERBATIM_CORPUS": str(tmp_path / "corpus"), "VERBATIM_INDEX": str(tmp_path / "index")}
    result = run(env, "index", "--device", "no-such-device")
    assert result.returncode == 1 and "cannot load embedding model" in result.stderr
    assert "no-such-device" in result.stderr and "Traceback" not in result.stderr
    assert current_version(tmp_path / "index") is None


def test_ask_with_another_model_than_the_index_is_refused(env: dict[str, str]) -> None:
    result = run({**env, "VERBATIM_MODEL": "another-model"}, "ask", "What is CRISPR?")
    assert result.returncode == 1 and "built with model 'all-MiniLM-L6-v2'" in result.stderr


def test_index_watch_rebuilds_when_the_corpus_changes(tmp_path: Path, settings: Settings) -> None:
    shutil.copytree(settings.corpus, tmp_path / "corpus")
    env = {**os.environ, "VERBATIM_CORPUS": str(tmp_path / "corpus"), "VERBATIM_INDEX": str(tmp_path / "index"),
           "PYTHONUNBUFFERED": "1"}  # fmt: skip
    watcher = subprocess.Popen([VERBATIM, "index", "--watch"], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)  # fmt: skip
    deadline = threading.Timer(180, watcher.kill)  # bounded however the watcher behaves
    deadline.start()
    lines: list[str] = []
    try:
        for line in watcher.stdout:
            lines.append(line)
            if line.startswith("Watching"):
                (tmp_path / "corpus" / "new.txt").write_text("Prime editing rewrites short stretches of DNA.\n")
            if line.startswith("Added (1): new.txt"):  # by now the watcher surely runs: change again
                (tmp_path / "corpus" / "second.txt").write_text("Base editors change a single DNA letter.\n")
            if line.startswith("Added (1): second.txt"):
                break
    finally:
        deadline.cancel()
        watcher.terminate()
        watcher.wait(timeout=30)
    assert any(line.startswith("Added (1): new.txt") for line in lines), lines
    assert any(line.startswith("Added (1): second.txt") for line in lines), lines
