"""Feedback on answers and the questions the documents don't answer: stored, grouped by meaning, exported."""

import json
import time
from dataclasses import dataclass, field

import numpy as np

from server.answer.qa import QA, Answer
from server.web.db import Database
from server.web.library import iso

GROUP_SIMILARITY = 0.75  # questions whose vectors are this alike (cosine) ask the same thing
RECENT = 5000  # questions grouped on the library page: the latest ones


@dataclass
class Group:
    question: str  # the phrasing asked most (the first asked, at a tie)
    history: list[str]
    count: int = 0
    last: str = ""
    phrasings: list[str] = field(default_factory=list)  # other wordings, at most five
    reasons: list[str] = field(default_factory=list)
    missing_terms: list[str] = field(default_factory=list)
    unhelpful: list[dict] = field(default_factory=list)  # not-helpful feedback on questions like these


def _vector(qa: QA, text: str) -> bytes:
    """The question's vector as answering computed it (the encoder remembers recent questions)."""
    return np.asarray(qa.embedder.encode_query(text), dtype=np.float32).tobytes()


class Feedback:
    """Writes go through the database's one writer, queued: answering never waits for the disk."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def abstained(self, qa: QA, question: str, history: list[str], answer: Answer) -> None:
        missing = json.dumps(answer.missing_terms, ensure_ascii=False)
        self.db.write("INSERT INTO unanswered (at, question, history, query, reason, missing_terms, index_version, "
                      "vector) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                      (iso(time.time()), question.strip(), json.dumps(history, ensure_ascii=False), answer.query,
                       answer.answer, missing, qa.store.path.name, _vector(qa, answer.query or question)))  # fmt: skip

    def rated(self, qa: QA, query: str, history: list[str], helpful: bool, note: str, index_version: str) -> None:
        """Store a rating with the answer it rates, asked again of the served version (answers are deterministic,
        so it is the answer the reader saw while that version is served)."""
        answer = qa.ask(query, history)
        sentences = [{"text": s.text, "citation": s.citation, "start": s.start, "end": s.end} for s in answer.sentences]
        citations = [{"id": c.id, "source": c.source, "section": c.section, "page": c.page, "start": c.start,
                      "end": c.end} for c in answer.citations]  # fmt: skip
        self.db.write("INSERT INTO feedback (at, query, history, helpful, note, index_version, answered, answer, "
                      "sentences, citations, vector) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                      (iso(time.time()), query.strip(), json.dumps(history, ensure_ascii=False), int(helpful), note,
                       index_version, int(answer.answered), answer.answer, json.dumps(sentences, ensure_ascii=False),
                       json.dumps(citations, ensure_ascii=False), _vector(qa, answer.query or query)))  # fmt: skip

    def unhelpful(self, limit: int = RECENT) -> list[dict]:
        rows = self.db.read("SELECT * FROM feedback WHERE helpful = 0 ORDER BY id DESC LIMIT ?", (limit,))
        return [{**dict(row), "history": json.loads(row["history"]), "sentences": json.loads(row["sentences"] or "[]"),
                 "citations": json.loads(row["citations"] or "[]")} for row in rows]  # fmt: skip

    def groups(self, limit: int = RECENT) -> tuple[list[Group], list[dict]]:
        """The latest unanswered questions grouped by meaning, most asked first, each with the not-helpful feedback
        on questions like it; and the not-helpful feedback like none of them."""
        rows = self.db.read("SELECT * FROM (SELECT * FROM unanswered ORDER BY id DESC LIMIT ?) ORDER BY id", (limit,))
        groups, centroids, members = _cluster(rows)
        unhelpful, apart = self.unhelpful(limit), []
        for item in unhelpful:
            vector = np.frombuffer(item.pop("vector"), dtype=np.float32) if item.get("vector") else None
            sims = centroids @ vector if vector is not None and len(groups) else np.zeros(0)
            if len(sims) and sims.max() >= GROUP_SIMILARITY:
                groups[int(sims.argmax())].unhelpful.append(item)
            else:
                apart.append(item)
        for group, indexes in zip(groups, members, strict=True):
            _describe(group, [rows[i] for i in indexes])
        order = sorted(range(len(groups)), key=lambda g: (-groups[g].count, -members[g][-1]))
        return [groups[g] for g in order], apart


def _cluster(rows: list) -> tuple[list[Group], np.ndarray, list[list[int]]]:
    """Each question joins the group whose mean vector is nearest, if near enough, else starts one."""
    centroids: list[np.ndarray] = []
    members: list[list[int]] = []
    for i, row in enumerate(rows):
        vector = np.frombuffer(row["vector"], dtype=np.float32)
        if centroids:
            sims = np.stack(centroids) @ vector
            best = int(sims.argmax())
            if sims[best] >= GROUP_SIMILARITY:
                members[best].append(i)
                total = centroids[best] * (len(members[best]) - 1) + vector
                centroids[best] = total / np.linalg.norm(total)
                continue
        centroids.append(vector / np.linalg.norm(vector))
        members.append([i])
    groups = [Group(rows[m[0]]["question"], json.loads(rows[m[0]]["history"])) for m in members]
    return groups, np.stack(centroids) if centroids else np.zeros((0, 1), np.float32), members


def _describe(group: Group, rows: list) -> None:
    asked: dict[str, int] = {}
    for row in rows:
        asked[row["question"]] = asked.get(row["question"], 0) + 1
    group.question = max(asked, key=lambda q: asked[q])  # dicts keep first-asked order: ties go to the first
    group.history = next(json.loads(r["history"]) for r in rows if r["question"] == group.question)
    group.count, group.last = len(rows), rows[-1]["at"]
    group.phrasings = [q for q in asked if q != group.question][:5]
    group.reasons = list(dict.fromkeys(r["reason"] for r in rows))[:3]
    group.missing_terms = list(dict.fromkeys(t for r in rows for t in json.loads(r["missing_terms"])))[:10]


def question_file(feedback: Feedback, unhelpful: bool = False) -> list[dict]:
    """The unanswered questions as a question file for `verbatim eval`: one line per group, kind unanswerable (as
    the documents stand; once a document answers it, make it answerable and give its gold phrases); with unhelpful,
    the not-helpful answers' questions too, as answerable with gold to fill in."""
    groups, apart = feedback.groups()
    lines = [{"id": f"unanswered-{n}", "question": g.question, "kind": "unanswerable", "gold": [],
              "history": g.history, "asked": g.count, "reason": g.reasons[0] if g.reasons else "",
              "missing_terms": g.missing_terms} for n, g in enumerate(groups, start=1)]  # fmt: skip
    if unhelpful:
        rated = [item for g in groups for item in g.unhelpful] + apart
        lines += [{"id": f"unhelpful-{item['id']}", "question": item["query"], "kind": "answerable", "gold": [],
                   "history": item["history"], "note": item["note"]} for item in rated]  # fmt: skip
    return lines
