"""Turn the SQuAD 2.0 articles into a corpus (one .txt per article: title, then paragraphs) and a question file.

    python bench/squad.py ../shared/external/squad2-dev-5-articles.json bench/out/squad
writes bench/out/squad/corpus/*.txt and bench/out/squad/questions.jsonl (answerable, or near_miss when impossible).
"""

import json
import sys
from pathlib import Path


def convert(source: Path, out: Path) -> tuple[int, int]:
    data = json.loads(source.read_text())["data"]
    corpus = out / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    questions = []
    for article in data:
        title = article["title"].replace("_", " ")
        paragraphs = [p["context"].strip() for p in article["paragraphs"]]
        (corpus / f"{article['title']}.txt").write_text(title + "\n\n" + "\n\n".join(paragraphs) + "\n")
        for paragraph in article["paragraphs"]:
            for qa in paragraph["qas"]:
                impossible = qa.get("is_impossible", False)
                gold = sorted({a["text"] for a in qa["answers"]})
                kind = "near_miss" if impossible else "answerable"
                questions.append({"id": qa["id"], "question": qa["question"], "kind": kind,
                                  "gold": [] if impossible else gold, "history": []})  # fmt: skip
    with open(out / "questions.jsonl", "w") as handle:
        handle.writelines(json.dumps(q, ensure_ascii=False) + "\n" for q in questions)
    return len(data), len(questions)


if __name__ == "__main__":
    articles, questions = convert(Path(sys.argv[1]), Path(sys.argv[2]))
    print(f"{articles} articles, {questions} questions -> {sys.argv[2]}")
