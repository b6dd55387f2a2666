"""Adding one document to a library of 1,000: seconds from its upload to the chat answering from it.

    python bench/library_add.py [--documents 1000] [--rounds 5]
The library: 1,000 small documents (SelQA's Wikipedia sections, one .txt each, about 1.4 kB), indexed with
`verbatim index`, served by `verbatim serve` with VERBATIM_ADMIN_TOKEN. Each round uploads one small new .md through
POST /api/documents, then asks POST /ask every 50 ms until the answer quotes the new document, cited from it; it
prints that time, when the rebuild was done, and how long each of its stages took (from its server-sent events).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.browser import live_server

SELQA = Path(__file__).resolve().parents[2] / "shared/external/selqa"
TOKEN = "bench-library-token-0123456789"
BEARER = {"authorization": f"Bearer {TOKEN}"}
NEW = [  # a small new document (its title and paragraphs), the question it answers, what the answer must quote
    ("Axolotl", ["The axolotl is a salamander that keeps its larval gills as an adult.",
                 "An axolotl can regrow a lost limb, its spinal cord and parts of its heart within a few weeks."],
     "What can an axolotl regrow?", "regrow a lost limb"),
    ("Tardigrade", ["Tardigrades are animals about half a millimetre long.",
                    "A dried tardigrade can survive for decades and revive within hours when it is given water again."],
     "How long can a dried tardigrade survive?", "survive for decades"),
    ("Mantis shrimp", ["The mantis shrimp strikes its prey with a club that accelerates as fast as a small bullet.",
                       "Its eyes carry up to sixteen kinds of colour receptors."],
     "How many kinds of colour receptors do mantis shrimp eyes carry?", "sixteen kinds of colour receptors"),
    ("Lungfish", ["African lungfish breathe air through a pair of lungs.",
                  "During a drought a lungfish buries itself in mud inside a cocoon of mucus and waits for rain."],
     "How does a lungfish survive a drought?", "buries itself in mud"),
    ("Naked mole-rat", ["Naked mole-rats live in underground colonies ruled by a single breeding queen.",
                        "A naked mole-rat can live for more than thirty years, far longer than other rodents."],
     "How long can a naked mole-rat live?", "more than thirty years"),
]  # fmt: skip


def make_corpus(folder: Path, count: int) -> int:
    """SelQA's sections (dev and test, in order), one small .txt each: the article and section, then its sentences."""
    sections: dict[tuple[str, str], list[str]] = {}
    for part in ("dev", "test"):
        for question in json.loads((SELQA / f"selqa-ass-{part}.json").read_text()):
            sections.setdefault((question["article"], question["section"]), question["candidates"])
    folder.mkdir(parents=True)
    chosen = sorted(sections.items())[:count]
    for number, ((article, section), sentences) in enumerate(chosen):
        (folder / f"{number:04d}.txt").write_text(f"{article} — {section}\n\n" + "\n".join(sentences) + "\n")
    return sum(p.stat().st_size for p in folder.iterdir())


def call(url: str, body: bytes | None = None, headers: dict | None = None, method: str | None = None) -> dict:
    request = urllib.request.Request(url, body, {**BEARER, **(headers or {})}, method=method)
    with urllib.request.urlopen(request, timeout=120) as response:
        return json.loads(response.read())


def upload(url: str, name: str, text: str) -> dict:
    boundary = "benchlibraryadd"
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            f"Content-Type: text/markdown\r\n\r\n{text}\r\n--{boundary}--\r\n").encode()  # fmt: skip
    return call(f"{url}/api/documents", body, {"content-type": f"multipart/form-data; boundary={boundary}"})


def ask(url: str, question: str) -> dict:
    return call(f"{url}/ask", json.dumps({"question": question}).encode(), {"content-type": "application/json"})


def watch_stages(url: str, job: str, began: float, stages: dict[str, float]) -> threading.Thread:
    """Record when the rebuild entered each stage (seconds after began), from its server-sent events."""

    def listen() -> None:
        request = urllib.request.Request(f"{url}/api/rebuilds/{job}/events", headers=BEARER)
        with urllib.request.urlopen(request, timeout=120) as stream:
            for line in stream:
                if line.startswith(b"data: "):
                    stages.setdefault(json.loads(line[6:])["stage"] or "queued", time.perf_counter() - began)

    thread = threading.Thread(target=listen, daemon=True)
    thread.start()
    return thread


def one_round(url: str, name: str, text: str, question: str, quote: str) -> tuple[float, float, dict[str, float]]:
    """Upload, then ask until answered from the new document: (seconds to the answer, to the rebuild's end, stages)."""
    before = ask(url, question)
    assert not any(c["source"] == name for c in before["citations"]), "answered from the new document before it came"
    began, stages = time.perf_counter(), {}
    sent = upload(url, name, text)
    assert sent["accepted"] == [name], sent
    watcher = watch_stages(url, sent["rebuild"], began, stages)
    while True:
        answer = ask(url, question)
        quoted = [s for s in answer["sentences"] if quote in s["text"]]
        if quoted and answer["citations"][quoted[0]["citation"] - 1]["source"] == name:
            answered = time.perf_counter() - began
            break
        if time.perf_counter() - began > 120:
            raise SystemExit(f"no answer from {name} after 120 s: {answer['answer']}")
        time.sleep(0.05)
    watcher.join(30)
    state = call(f"{url}/api/rebuilds/{sent['rebuild']}")
    assert state["state"] == "done" and state["added"] == [name], state
    return answered, stages.get("done", float("nan")), stages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=len(NEW), choices=range(1, len(NEW) + 1))
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        size = make_corpus(root / "corpus", options.documents)
        env = {"VERBATIM_CORPUS": str(root / "corpus"), "VERBATIM_INDEX": str(root / "index")}
        began = time.perf_counter()
        subprocess.run([str(Path(sys.executable).parent / "verbatim"), "index"], env={**os.environ, **env},
                       check=True, capture_output=True)  # fmt: skip
        print(f"{options.documents} documents ({size / 1e6:.1f} MB) indexed in {time.perf_counter() - began:.0f} s")
        with live_server({**env, "VERBATIM_ADMIN_TOKEN": TOKEN}) as (url, _):
            ask(url, "What is the Israel Museum?")  # the first answer's one-time costs are not the upload's
            times = []
            for title, paragraphs, question, quote in NEW[: options.rounds]:
                name, text = title.lower().replace(" ", "-") + ".md", f"# {title}\n\n" + "\n\n".join(paragraphs) + "\n"
                answered, done, stages = one_round(url, name, text, question, quote)
                times.append(answered)
                steps = ", ".join(f"{stage} {at:.2f}" for stage, at in stages.items())
                print(f"{name}: answered from it {answered:.2f} s after the upload began (rebuild done at {done:.2f} s;"
                      f" stages began at: {steps})")  # fmt: skip
        print(f"upload to answer, {len(times)} rounds: median {statistics.median(times):.2f} s, "
              f"max {max(times):.2f} s (goal: at most 5 s)")  # fmt: skip


if __name__ == "__main__":
    main()
