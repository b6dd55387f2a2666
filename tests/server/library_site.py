"""A tiny library site for the library's tests: a corpus of two documents and a skipped file, its index built once
and copied for each test (the models folder, with the ONNX export, linked from the session index)."""

import shutil
import time
from collections.abc import Callable
from pathlib import Path

from index.build import build_index
from index.embed import Embedder
from server.settings import Settings
from tests.conftest import DATA, write_pdf

TOKEN = "owner-token-0123456789"
BEARER = {"authorization": f"Bearer {TOKEN}"}
FISH = "# Zebrafish\n\nZebrafish regrow their heart muscle after injury within two months.\n"
FISH_QUESTION = "How fast do zebrafish regrow heart muscle?"
FISH_QUOTE = "Zebrafish regrow their heart muscle after injury within two months."
BEES = [["Honeybee navigation", "Honeybees find their way home using the position of the sun.",
         "Foragers dance to tell the hive where flowers are."]]  # fmt: skip
BEES_QUESTION = "How do honeybees find their way home?"


def build_site(root: Path, embedder: Embedder, models: Path | None = None) -> Path:
    """Corpus (vectors.md, editing.txt, table.csv) and index under root; returns root."""
    corpus = root / "corpus"
    corpus.mkdir(parents=True)
    for name in ("vectors.md", "editing.txt", "table.csv"):
        shutil.copy(DATA / name, corpus / name)
    (root / "index").mkdir()
    if models is not None:
        (root / "index" / "models").symlink_to(models, target_is_directory=True)
    build_index(corpus, root / "index", "all-MiniLM-L6-v2", 700, embedder=lambda: embedder, export_queries=False)
    return root


def copy_site(base: Path, folder: Path) -> Path:
    shutil.copytree(base, folder, symlinks=True)
    return folder


def site_settings(root: Path, **changes: object) -> Settings:
    return Settings(**{"corpus": root / "corpus", "index": root / "index", "admin_token": TOKEN, "reload_seconds": 0.2,
                       "upload_max_bytes": 200_000, **changes})  # fmt: skip


def bees_pdf(path: Path) -> bytes:
    write_pdf(path, BEES)
    return path.read_bytes()


def wait_rebuild(get: Callable[[str], dict], job: str, timeout: float = 120) -> dict:
    """Poll a rebuild (get: its id -> its JSON) until it is done or failed."""
    deadline = time.monotonic() + timeout
    while True:
        state = get(job)
        if state["state"] in ("done", "failed") or time.monotonic() > deadline:
            return state
        time.sleep(0.1)


def listing(root: Path) -> dict[str, bytes]:
    """Every file under the corpus folder, hidden ones included, with its bytes."""
    corpus = root / "corpus"
    return {p.relative_to(corpus).as_posix(): p.read_bytes() for p in sorted(corpus.rglob("*")) if p.is_file()}
