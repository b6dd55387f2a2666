"""Requests per second at 1, 4 and 16 concurrent clients, distinct and repeated questions, 1 and 2 workers.

    python bench/throughput.py
Bounded: each run sends a fixed number of requests to a server on 127.0.0.1 over the SQuAD index (bench/squad.py)
and stops. Also reports each worker's resident memory.
"""

import asyncio
import statistics
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from server.answer.evaluate import read_questions
from tests.browser import live_server

SQUAD = Path("bench/out/squad")
REQUESTS = 240


async def load(url: str, questions: list[str], clients: int) -> tuple[float, list[float], int]:
    """Send REQUESTS questions with `clients` at a time; returns requests/s, latencies and failures."""
    queue: asyncio.Queue[str] = asyncio.Queue()
    for i in range(REQUESTS):
        queue.put_nowait(questions[i % len(questions)])
    latencies: list[float] = []
    failures = 0

    async def client(http: httpx.AsyncClient) -> None:
        nonlocal failures
        while not queue.empty():
            question = queue.get_nowait()
            began = time.perf_counter()
            response = await http.post("/ask", json={"question": question})
            latencies.append(time.perf_counter() - began)
            failures += response.status_code != 200

    async with httpx.AsyncClient(base_url=url, timeout=60) as http:
        began = time.perf_counter()
        await asyncio.gather(*(client(http) for _ in range(clients)))
        elapsed = time.perf_counter() - began
    return REQUESTS / elapsed, latencies, failures


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def workers_of(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children")
    found = [int(c) for c in children.read_text().split()] if children.exists() else []
    return found or [pid]


def main() -> None:
    distinct = [q.question for q in read_questions(SQUAD / "questions.jsonl")]
    repeated = distinct[:10]
    env = {"VERBATIM_CORPUS": str(SQUAD / "corpus"), "VERBATIM_INDEX": str(SQUAD / "index")}
    print("| workers | questions | clients | requests/s | latency p50 / p95 (ms) | failed |")
    print("|---|---|---|---|---|---|")
    for workers in (1, 2):
        with live_server(env, "--workers", str(workers)) as (url, process):
            offset = 0
            for label, pool in (("distinct", distinct), ("repeated", repeated)):
                for clients in (1, 4, 16):
                    questions = pool[offset:] + pool[:offset] if label == "distinct" else pool
                    offset = (offset + REQUESTS) % len(distinct)  # distinct runs never reuse a question's cache
                    rps, latencies, failed = asyncio.run(load(url, questions, clients))
                    ms = sorted(1000 * t for t in latencies)
                    print(f"| {workers} | {label} | {clients} | {rps:.0f} | {statistics.median(ms):.1f} / "
                          f"{ms[int(len(ms) * 0.95)]:.1f} | {failed} |")  # fmt: skip
            memory = [rss_mib(pid) for pid in workers_of(process.pid)]
            print(f"|   | memory per worker (RSS) | | {', '.join(f'{m:.0f} MiB' for m in memory)} | | |")


if __name__ == "__main__":
    main()
