"""The `verbatim` command: index, ask, serve, eval, feedback export. Flags win over VERBATIM_* settings."""

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:  # imported lazily at run time, so that --help stays instant
    from index.build import BuildReport
    from server.settings import Settings

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Answers in the documents' own words.")
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]


def _settings(**flags: object) -> "Settings":
    from server.settings import Settings

    return Settings(**{k: v for k, v in flags.items() if v is not None})


def _fail(message: str) -> None:
    typer.secho(f"error: {message}", fg="red", err=True)
    raise typer.Exit(1)


def _user_errors() -> tuple[type[Exception], ...]:
    from index.cluster import ClusterError
    from index.embed import ModelError
    from index.layout import IndexUnusable
    from index.versions import BuildLocked
    from ingest.load import CorpusError
    from server.answer.evaluate import QuestionFileError

    return CorpusError, IndexUnusable, ModelError, BuildLocked, QuestionFileError, ClusterError


def _names(label: str, names: list[str]) -> str:
    return f"{label} ({len(names)}): {', '.join(names)}" if names else f"{label}: none"


def _report(report: "BuildReport", settings: "Settings") -> None:
    for line in report.skipped:
        typer.echo(line, err=True)
    if report.version is None:
        typer.echo(f"Index is up to date: {report.documents} documents, {report.passages} passages, "
                   f"{report.sentences} sentences ({settings.index}).")  # fmt: skip
        return
    if report.full_rebuild:
        typer.echo(f"Full build: {report.full_rebuild}.")
    for label, names in (("Added", report.added), ("Changed", report.changed), ("Removed", report.removed)):
        typer.echo(_names(label, names))
    typer.echo(f"Indexed {report.documents} documents: {report.passages} passages, {report.sentences} sentences; "
               f"embedded {report.embedded} new texts, reused {report.reused} vectors; {report.seconds:.1f} s "
               f"-> {settings.index}/{report.version}")  # fmt: skip
    typer.echo("Vector search: " + ", ".join(f"{kind} over {name}" for name, kind in report.search.items()) + ".")


@app.command()
def index(
    corpus: Annotated[Path | None, typer.Option(help="Folder of documents [default: corpus/].")] = None,
    index: Annotated[Path | None, typer.Option(help="Index folder [default: .verbatim/index].")] = None,
    watch: Annotated[bool, typer.Option("--watch", help="Rebuild whenever the corpus changes, until Ctrl-C.")] = False,
    device: Annotated[str | None, typer.Option(help="Where texts are embedded: cpu, cuda ... [default: cpu].")] = None,
    ray: Annotated[str | None, typer.Option("--ray", metavar="auto|ADDRESS",
                                            help="Embed on a Ray cluster: auto, or its head's host:port.")] = None,
) -> None:
    """Build or update the index over the corpus; prints what changed."""
    from server.engine import build

    settings = _settings(corpus=corpus, index=index, device=device, ray_address=ray)
    def waiting(message: str) -> None:
        typer.echo(f"Waiting: {message}.", err=True)

    try:
        _report(build(settings, progress=sys.stderr.isatty(), on_wait=waiting), settings)
        if not watch:
            return
        from watchfiles import watch as changes

        typer.echo(f"Watching {settings.corpus} for changes; Ctrl-C stops.")
        settled = False
        for changed in changes(settings.corpus, debounce=800, raise_interrupt=False, yield_on_timeout=True):
            if changed or not settled:  # once the watcher runs, catch what changed while it was starting
                report = build(settings, progress=sys.stderr.isatty(), on_wait=waiting)
                if changed or report.version:
                    _report(report, settings)
                settled = True
    except _user_errors() as error:
        _fail(str(error))


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="The question.")],
    history: Annotated[list[str] | None, typer.Option(help="An earlier question (repeatable, oldest first).")] = None,
    json_: JsonFlag = False,
) -> None:
    """Answer one question with sentences quoted from the documents."""
    from server.engine import open_qa

    if not question.strip():
        _fail("the question is empty")
    try:
        answer = open_qa(_settings()).ask(question, history or [])
    except _user_errors() as error:
        _fail(str(error))
    if json_:
        typer.echo(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
        return
    typer.echo(answer.answer)
    sources = answer.citations or answer.related
    if sources:
        typer.echo("\nSources:" if answer.answered else "\nRelated passages:")
    for c in sources:
        where = ", ".join(x for x in (c.source, c.section, c.page and f"page {c.page}") if x)
        typer.echo(f"[{c.id}] {where} (characters {c.start}-{c.end})")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on [default: 127.0.0.1].")] = None,
    port: Annotated[int | None, typer.Option(help="Port [default: 8000].")] = None,
    workers: Annotated[int | None, typer.Option(help="Worker processes [default: 1].")] = None,
) -> None:
    """Serve the web chat and the HTTP API."""
    from server.web.serve import run

    settings = _settings(host=host, port=port, workers=workers)
    try:
        run(settings)
    except _user_errors() as error:
        _fail(str(error))


@app.command("eval")
def evaluate(
    questions: Annotated[Path, typer.Argument(help="Question file, JSON Lines.")],
    out: Annotated[Path | None, typer.Option(help="Write each question's answer here (JSON Lines).")] = None,
    json_: JsonFlag = False,
) -> None:
    """Answer every question of a question file and print the metrics."""
    from server.answer.evaluate import metrics, read_questions, run
    from server.engine import open_qa

    try:
        items = read_questions(questions)
        qa = open_qa(_settings())
    except _user_errors() as error:
        _fail(str(error))
    answers, latencies = run(qa, items)
    if out:
        with open(out, "w", encoding="utf-8") as handle:
            for q, a in zip(items, answers, strict=True):
                row = {"id": q.id, "question": q.question, "answer": a.to_dict()}
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    result = metrics(items, answers, qa.store.documents, latencies)
    if json_:
        typer.echo(json.dumps(result))
        return
    for key, value in result.items():
        typer.echo(f"{key:<22}{'-' if value is None else value}")


feedback_app = typer.Typer(no_args_is_help=True, help="What readers asked and rated (the library's database).")
app.add_typer(feedback_app, name="feedback")


@feedback_app.command("export")
def feedback_export(
    out: Annotated[Path | None, typer.Option(help="Write the question file here [default: standard output].")] = None,
    unhelpful: Annotated[bool, typer.Option("--unhelpful", help="Add the questions of not-helpful answers.")] = False,
) -> None:
    """The unanswered questions, grouped, most asked first, as a question file for `verbatim eval`."""
    from server.web.db import Database, database_path
    from server.web.feedback import Feedback, question_file

    path = database_path(_settings())
    if not path.exists():
        _fail(f"no feedback database at {path}: set VERBATIM_LOG_QUESTIONS=true (or VERBATIM_ADMIN_TOKEN) and serve")
    db = Database(path)
    lines = [json.dumps(line, ensure_ascii=False) for line in question_file(Feedback(db), unhelpful)]
    db.close()
    if out is None:
        typer.echo("\n".join(lines))
        return
    out.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    typer.echo(f"Wrote {len(lines)} questions to {out}.", err=True)


def main() -> None:
    app()
