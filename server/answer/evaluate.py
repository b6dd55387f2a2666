"""Run a question file through the engine and compute the contract's metrics."""

import json
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

from server.answer.qa import QA, Answer

KINDS = ("answerable", "followup", "unanswerable", "near_miss")


class QuestionFileError(ValueError):
    """A question file that can't be read; the message names the line."""


@dataclass(frozen=True, slots=True)
class Question:
    id: str
    question: str
    kind: str
    gold: list[str]
    history: list[str]


def read_questions(path: Path) -> list[Question]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise QuestionFileError(f"cannot read question file {path}: {error}") from error
    questions = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            questions.append(Question(str(row["id"]), row["question"], row.get("kind", "answerable"),
                                      list(row.get("gold", [])), list(row.get("history", []))))  # fmt: skip
        except (ValueError, KeyError, TypeError) as error:
            raise QuestionFileError(f"{path}, line {number}: not a question ({error})") from error
    return questions


def percentile_ms(seconds: list[float], p: float) -> float:
    """The p-th percentile (0 to 1) of durations in seconds, in milliseconds: the value at rank int(n * p)."""
    ms = sorted(1000 * t for t in seconds)
    return ms[min(len(ms) - 1, int(len(ms) * p))]


def _flat(text: str) -> str:
    return " ".join(text.split())


def holds(sentence: str, gold: list[str]) -> bool:
    """Whether a quoted sentence holds a gold phrase, as read: a line break where the phrase has a space (a
    hard-wrapped text quoted as written) is no other text."""
    flat = _flat(sentence)
    return any(_flat(phrase) in flat for phrase in gold)


def _share(values: list[bool]) -> float | None:
    return round(sum(values) / len(values), 4) if values else None


def metrics(questions: list[Question], answers: list[Answer], documents: dict[str, str],
            latencies: list[float]) -> dict:  # fmt: skip
    """The contract's metrics: hit@1, hit and false_abstain on answerable questions, abstention, verbatim."""
    asked = [(q, a) for q, a in zip(questions, answers, strict=True) if q.kind in ("answerable", "followup")]
    hit1 = [a.answered and holds(a.sentences[0].text, q.gold) for q, a in asked]
    hit = [a.answered and any(holds(s.text, q.gold) for s in a.sentences) for q, a in asked]
    sentences = [(s, c) for a in answers for s in a.sentences for c in a.citations if c.id == s.citation]
    verbatim = [documents[c.source][s.start : s.end] == s.text for s, c in sentences]
    words = [sum(len(s.text.split()) for s in a.sentences) for a in answers if a.answered]

    def abstained(kind: str) -> list[bool]:
        return [not a.answered for q, a in zip(questions, answers, strict=True) if q.kind == kind]

    return {
        "questions": len(questions),
        "hit@1": _share(hit1),
        "hit": _share(hit),
        "false_abstain": _share([not a.answered for _, a in asked]),
        "abstain": _share(abstained("unanswerable")),
        "near_miss_abstain": _share(abstained("near_miss")),
        "verbatim": _share(verbatim) if verbatim else 1.0,
        "median_answer_words": statistics.median(words) if words else 0,
        "latency_p50_ms": round(percentile_ms(latencies, 0.5), 1) if latencies else None,
        "latency_p95_ms": round(percentile_ms(latencies, 0.95), 1) if latencies else None,
    }


def run(qa: QA, questions: list[Question]) -> tuple[list[Answer], list[float]]:
    answers, latencies = [], []
    for q in questions:
        began = time.perf_counter()
        answers.append(qa.ask(q.question, q.history))
        latencies.append(time.perf_counter() - began)
    return answers, latencies
