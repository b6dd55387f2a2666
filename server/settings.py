"""All settings, from VERBATIM_* environment variables or flags; the only module that reads the environment."""

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from index.embed import DEFAULT_MODEL
from index.search import EXACT_LIMIT, RECALL_TARGET


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="VERBATIM_", frozen=True)

    corpus: Path = Path("corpus")
    index: Path = Path(".verbatim/index")
    model: str = DEFAULT_MODEL
    device: str = "cpu"
    query_cache: int = Field(1024, ge=0)  # vectors of this many recent questions are remembered (0: none)
    fast_queries: bool = True  # encode questions with the index's ONNX export of the model (no torch import)
    fast_documents: bool = True  # on the CPU, builds embed with that export too (same vectors, ~3x the texts a second)
    ray_address: str | None = None  # builds embed on this Ray cluster ('auto': the one this machine is in)
    max_passage_chars: int = Field(700, ge=100, le=5000)
    # What one corpus file may cost to read; past a limit it is skipped with a note saying which.
    max_file_bytes: int = Field(50_000_000, ge=1)
    max_unpacked_bytes: int = Field(200_000_000, ge=1)  # what a .docx or .pptx unpacks to (zip bombs)
    read_seconds: float = Field(60.0, gt=0)  # reading one file, checked between its pages and parts
    keep_versions: int = Field(3, ge=1)
    # Vector search: exact up to this many vectors, above it an inverted-file index probed enough to find this
    # share of exact search's ten nearest (measured at build time). Applies from the next build that writes a version.
    exact_search_limit: int = Field(EXACT_LIMIT, ge=0)
    search_recall: float = Field(RECALL_TARGET, gt=0, le=1)

    # Retrieval: passages from dense and BM25 search, fused; sentences chosen inside the best of them.
    fusion: Literal["weighted", "rrf"] = "weighted"
    dense_weight: float = Field(0.6, ge=0, le=1)  # share of the dense score in weighted fusion
    candidates: int = Field(30, ge=1)  # passages taken from each search before fusion
    top_passages: int = Field(4, ge=1)  # passages whose sentences are considered
    max_sentences: int = Field(3, ge=1, le=10)
    # The sentence selector and answer confidence (server.answer.selector); None: the model file shipped in server/answer/.
    selector_model: Path | None = None
    # The selector's best this-many candidates are put in order again by the cross-encoder reranker shipped in
    # server/answer/reranker.onnx (bench/train_reranker.py); 0: never. Off by default: on held-out sets it gains on
    # SelQA but loses on SQuAD and WikiQA (BENCHMARKS.md), at four times the answer's time.
    rerank_top: int = Field(0, ge=0, le=50)
    keep_ratio: float = Field(0.35, ge=0, le=1)  # a sentence may be quoted if its probability is this share of the best
    # A word more than this share of the passages use names the corpus's topic; the last sentence of an answer is
    # the one most like what the question asks beyond it (QA._focus). 1: no word is a topic word.
    topic_share: float = Field(0.5, gt=0, le=1)

    # Abstention. An answer whose confidence is below this is refused; None: the model file's threshold, chosen by
    # bench/train_selector.py for the refused-answerable target on the sets it was fitted on.
    answer_threshold: float | None = Field(None, ge=0, le=1)
    low_confidence: float = Field(0.5, ge=0, le=1)  # the chat marks an answer less confident than this
    # A personal question ("Should I ...?") is answered only by a sentence this similar to server.answer.ADVICE.
    advice_similarity: float = Field(0.5, ge=0, le=1)
    min_dense: float = 0.29  # only sentences this similar to the question are quotable; none: no answer
    check_qualifiers: bool = True  # abstain when the evidence lacks the question's negation, superlative, number
    check_foreign: bool = True  # abstain when none of the question's own words is a word of the documents
    rare_zipf: float = 2.0  # a missing word rarer than this in English (wordfreq Zipf scale) is distinctive
    related: int = Field(3, ge=0, le=10)

    # Server.
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    workers: int = Field(1, ge=1)  # server processes; with more than one, the encoder's threads never spin
    reload_seconds: float = Field(1.0, ge=0)  # how often a request may look for a new index version (0: never)
    admin_token: str | None = None  # enables POST /admin/reload and the document library (server.web)
    # The document library (only with admin_token) and what protects the service.
    upload_max_bytes: int = Field(20_000_000, ge=1)  # an uploaded file larger than this is rejected
    upload_max_files: int = Field(20, ge=1)  # files in one upload request
    trash: Path | None = None  # removed documents go here; None: "<corpus>.trash" beside the corpus folder
    database: Path | None = None  # feedback, unanswered questions, rebuilds; None: verbatim.sqlite3 beside the index
    session_hours: float = Field(8.0, gt=0)  # a library sign-in lasts this long
    signin_per_minute: int = Field(10, ge=1)  # sign-in attempts per client
    ask_per_minute: int = Field(0, ge=0)  # questions (/ask, the chat) and feedback per client; 0: no limit
    notice: str = "Answers are quotations from the documents, shown with their sources; nothing is paraphrased."
    max_body_bytes: int = Field(64_000, ge=1_000)  # larger request bodies get 413
    cors_origins: list[str] = []  # CORS is off unless origins are listed
    log_questions: bool = False  # access logs leave the question text out unless this is set
