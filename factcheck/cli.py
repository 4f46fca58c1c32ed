"""The command line: a thin layer that parses options, calls one library function, and turns the
library's typed errors into one-line messages that say what to do."""
from __future__ import annotations

import functools
import logging
import os
import sys
from contextlib import contextmanager
from pathlib import Path

import click

from .config import DEFAULT_DB_URL, load_settings
from .errors import RERUN, STORE_URL, FactcheckError, in_terms

log = logging.getLogger("factcheck")
# Libraries whose log lines (a page they could not parse, a date they guessed, a model's load
# report) would surround the tool's one-line messages: shown only with -v.
LIBRARY_LOGGERS = ("sentence_transformers", "transformers", "httpx", "trafilatura", "htmldate", "charset_normalizer",
                   "courlan", "justext", "readability", "urllib3", "filelock", "huggingface_hub", "torch",
                   "py.warnings", "lxml", "spacy")
# Dask's own (a cluster's start and stop, connections): shown only with -v.
DASK_LOGGERS = ("distributed", "tornado", "bokeh")


def fail(message: str, code: int = 1) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def output_folder(out: str) -> None:
    """Make the folder the CSVs go to before any work is done (a path below a file fails now, not
    after the run was stored)."""
    try:
        Path(out).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        fail(f"cannot write to the folder {out} ({exc.strerror or exc}) — give --out a folder you can write to")


# The actions of library errors (errors.ACTIONS) as the command line says them.
CLI_TERMS = {RERUN: "run `factcheck run` on the sources folder",
             STORE_URL: "check the --db URL and that its folder is writable"}


def said(err: BaseException) -> str:
    """An error's one line, its action in the command line's terms."""
    return in_terms(err, CLI_TERMS)


def handle_errors(fn):
    """Library errors become one line on stderr and a non-zero exit, never a traceback."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except FactcheckError as exc:
            for err in getattr(exc, "errors", ()):
                click.echo(f"skipped: {said(err)}", err=True)
            fail(said(exc))
        except KeyboardInterrupt:
            fail("interrupted — nothing half-written was kept; run the command again", 130)
        except (SystemExit, click.exceptions.Exit, click.ClickException):
            raise
        except Exception as exc:  # noqa: BLE001 — a bug must still end in one line, not a traceback
            log.debug("unexpected error", exc_info=True)
            fail(f"unexpected {type(exc).__name__}: {str(exc).splitlines()[0][:160] if str(exc) else 'no message'} "
                 "— nothing half-written was kept; please report it with the command you ran (-vv shows where)")

    return wrapper


db_option = click.option("--db", "db_url", default=None, metavar="URL",
                         help=f"SQLAlchemy URL of the store (default {DEFAULT_DB_URL}, in the working directory).")
config_option = click.option("--config", "config_path", default=None, type=click.Path(dir_okay=False),
                             help="TOML file of settings overriding the defaults (default: ./factcheck.toml if present).")


one_story_option = click.option("--one-story", is_flag=True,
                                help="Treat every article as one story (no automatic grouping; an article "
                                     "with a `story` in the manifest still goes to that story).")


def settings_for(config_path, db_url, one_story: bool = False):
    from .compare import validate_checks

    settings = load_settings(config_path, db_url=db_url, story_grouping="one" if one_story else None)
    validate_checks(settings)  # before any work: a misspelt check would silently run none
    return settings


def engine_options(fn):
    """--engine, --scheduler, --workers: where the per-article work runs (``factcheck.engine``)."""
    fn = click.option("--workers", type=click.IntRange(min=1), default=None, metavar="N",
                      help="With --engine dask and no --scheduler: worker processes of the cluster started on "
                           "this machine (default: the workers setting, one per core up to 4).")(fn)
    fn = click.option("--scheduler", default=None, metavar="ADDRESS",
                      help="With --engine dask: a running Dask scheduler (tcp://HOST:8786), whose workers do the "
                           "work; without it a cluster is started on this machine.")(fn)
    return click.option("--engine", "engine_name", type=click.Choice(["local", "dask"]), default="local",
                        show_default=True, help="Where reading, cleaning, parsing, the sentence model and the "
                                                "stories' comparison run: in this process, or as tasks on a Dask "
                                                "cluster (pip install -e '.[cluster]'); the answers are the same.")(fn)


@contextmanager
def engine_for(name: str, scheduler: str | None, workers: int | None, settings):
    """The engine the options ask for: None (this process), or a Dask engine closed at the end."""
    if name == "local":
        if scheduler or workers:
            fail("--scheduler and --workers go with --engine dask")
        yield None
        return
    if scheduler and workers:
        fail("give --scheduler (a running cluster) or --workers (a cluster started here), not both")
    try:
        from .engine import DaskEngine
    except ImportError:
        fail("--engine dask needs Dask's distributed package — pip install -e '.[cluster]'")
    root = logging.getLogger().level  # Dask set its loggers' levels on import: -v's rule (main) again
    for logger in DASK_LOGGERS:
        logging.getLogger(logger).setLevel(root if root < logging.WARNING else logging.CRITICAL)
    with DaskEngine.start(settings, scheduler=scheduler, workers=workers) as engine:
        yield engine


def shorten(text: str, width: int) -> str:
    """``text`` cut at a word to at most ``width`` characters, "…" marking the cut."""
    if len(text) <= width:
        return text
    return text[:width - 1].rsplit(" ", 1)[0].rstrip(" ,;:.") + "…"


def story_lines(sources, stories: dict[str, str], shown: int = 3) -> list[str]:
    """What the stories of a run hold, biggest first, when there are several: the user checks the
    grouping here (articles are compared only within their story)."""
    from .stories import story_names

    names = story_names([stories.get(s.source_id, "") for s in sources], [s.story for s in sources])
    members: dict[str, list] = {}
    for s, name in zip(sources, names):
        members.setdefault(name, []).append(s)
    if len(members) < 2:
        return []
    lines = [f"{len(members)} stories (claims are compared only within a story):"]
    for name, group in sorted(members.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        titles = "; ".join(f"{s.outlet}: {shorten(s.title or s.name, 60)}" for s in group[:shown])
        more = f"; and {len(group) - shown} more" if len(group) > shown else ""
        lines.append(f"  {name}: {len(group)} article(s) — {titles}{more}")
    lines.append("  grouped wrongly? name each article's story in the `story` column of the manifest, "
                 "or run with --one-story")
    return lines


class RichProgress:
    """Progress of the run's stages on stderr (quiet when stderr is not a terminal)."""

    def __init__(self, enabled: bool):
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.progress = Progress(TextColumn("{task.description:<8}"), BarColumn(), MofNCompleteColumn(),
                                 TimeElapsedColumn(), console=Console(stderr=True), disable=not enabled)
        self.tasks: dict[str, int] = {}

    def __enter__(self):
        self.progress.__enter__()
        return self

    def __exit__(self, *exc):
        return self.progress.__exit__(*exc)

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage not in self.tasks:
            self.tasks[stage] = self.progress.add_task(stage, total=max(total, 1))
        self.progress.update(self.tasks[stage], completed=done, total=max(total, 1))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
@click.version_option(package_name="factcheck-claims")
def main(verbose: int) -> None:
    """factcheck: find where news outlets disagree about one story."""
    level = logging.WARNING - 10 * verbose
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s" if verbose else "note: %(message)s"))
    logging.basicConfig(level=max(level, logging.DEBUG), handlers=[handler], force=True)
    logging.captureWarnings(True)  # a library's warnings are log lines too, quiet unless -v
    for noisy in LIBRARY_LOGGERS:
        logging.getLogger(noisy).setLevel(level if verbose else logging.CRITICAL)


@main.command()
@click.argument("sources_dir", default="sources", type=click.Path(file_okay=False))
@click.option("--out", default=".", type=click.Path(file_okay=False), show_default=True,
              help="Folder for claims.csv, discrepancies.csv, facts.csv and alignments.csv.")
@db_option
@config_option
@one_story_option
@click.option("--no-progress", is_flag=True, help="Do not draw progress bars.")
@engine_options
@handle_errors
def run(sources_dir, out, db_url, config_path, one_story, no_progress, engine_name, scheduler, workers):
    """Run every stage on SOURCES_DIR (default: sources/) and write the CSVs."""
    from . import pipeline
    from .store import Store

    output_folder(out)
    settings = settings_for(config_path, db_url, one_story)
    store = Store(settings.db_url)
    with engine_for(engine_name, scheduler, workers, settings) as engine, \
            RichProgress(not no_progress and sys.stderr.isatty()) as progress:
        result = pipeline.run(sources_dir, settings, store=store, out=out, progress=progress, engine=engine)
    for err in result.errors:
        click.echo(f"skipped: {said(err)}", err=True)
    kinds = {}
    for d in result.discrepancies:
        kinds[d.kind] = kinds.get(d.kind, 0) + 1
    summary = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items(), key=lambda x: -x[1])) or "none"
    click.echo(f"{len(result.sources)} sources, {len(result.claims)} claims, {len(result.pairs)} aligned pairs, "
               f"{len(result.facts)} facts, {len(result.discrepancies)} disputed ({summary})")
    click.echo(f"wrote {Path(out) / 'claims.csv'}, {Path(out) / 'discrepancies.csv'}, {Path(out) / 'facts.csv'}, "
               f"{Path(out) / 'alignments.csv'}; store: {store.shown_url}")
    for d in result.discrepancies[:5]:
        click.echo(f"  [{d.kind}] {d.explanation}")
    for line in story_lines(result.sources, result.stories):
        click.echo(line)


@main.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--explain", is_flag=True, help="Show every line's label and the reason for it.")
@config_option
@handle_errors
def clean(file, explain, config_path):
    """Print the cleaned article of FILE: title, then body paragraphs."""
    from . import clean as clean_stage
    from . import ingest

    settings = load_settings(config_path)
    path = Path(file)
    if not path.is_file():
        fail(f"{file}: no such file — give the path of an article (a .txt, .html or .md file)")
    problems: list = []
    meta = ingest.read_manifest(path.parent / settings.manifest_name, folder=path.parent, only={path.name},
                                errors=problems).get(path.name)
    for err in problems:
        click.echo(f"skipped: {said(err)}", err=True)
    source = ingest.read_source(path, settings, meta)
    if explain:
        for lab in clean_stage.explain(source, settings):
            click.echo(f"{lab.line_no:>5} {lab.label:<16} {lab.reason:<40} {lab.text[:70]}")
        return
    body = clean_stage.clean(source, settings)
    click.echo(f"# {body.title}" if body.title else f"# ({source.name}: no title found)")
    click.echo(f"outlet: {source.outlet}   published: {source.published or 'unknown'}   url: {source.url or '-'}")
    for p in body.paragraphs:
        click.echo("")
        click.echo(f"## {p.text}" if p.role == "heading" else p.text)


def addition_lines(result) -> list[str]:
    """What an addition (``pipeline.AddResult``) did: each article's story, the newly disputed facts."""
    lines = []
    for s in result.sources:
        joined, story = result.stories[s.source_id]
        n = sum(1 for c in result.claims if c.source_id == s.source_id)
        where = f"joined story {story}" if joined else \
            f"started story {story}" + (" (no other article in it)" if s.story else " (no close story)")
        where += f" [story {s.story!r}]" if s.story else ""
        lines.append(f"{s.name} ({s.outlet}): {n} claims, {where}")
    lines.append(f"{len(result.new)} newly disputed facts in {len({v[1] for v in result.stories.values()})} story(ies) "
                 f"({len(result.discrepancies)} disputed there in all)")
    return lines + [f"  [{d.kind}] {d.explanation}" for d in result.new[:5]]


@main.command()
@click.argument("items", nargs=-1, required=True, metavar="FILE_OR_URL...")
@click.option("--to", "folder", default="sources", type=click.Path(file_okay=False), show_default=True,
              help="Sources folder the articles are saved into.")
@click.option("--out", default=".", type=click.Path(file_okay=False), show_default=True,
              help="Folder for claims.csv, discrepancies.csv, facts.csv and alignments.csv.")
@db_option
@config_option
@one_story_option
@click.option("--no-progress", is_flag=True, help="Do not draw progress bars.")
@handle_errors
def add(items, folder, out, db_url, config_path, one_story, no_progress):
    """Add articles (files, or URLs to fetch) to the sources folder and to the analysis in the store.

    Each new article joins the story it is closest to (or starts one), and only that story is
    compared again: seconds, not a whole run. Without a run in the store, the files are only saved."""
    from . import pipeline
    from .folder import add_to_folder
    from .store import Store

    output_folder(out)
    settings = settings_for(config_path, db_url, one_story)
    folder = Path(folder)
    store = Store(settings.db_url)
    with RichProgress(not no_progress and sys.stderr.isatty()) as progress:
        done = add_to_folder([(item, None) for item in items], folder, settings, store=store, progress=progress)
    for err in done.errors:
        click.echo(f"skipped: {said(err)}", err=True)
    for name in done.removed:
        click.echo(f"note: {name} was taken out of {folder} again: it could not be added (see above)", err=True)
    for staged in done.staged:
        click.echo(f"saved {staged.path}" + (f" ({staged.note})" if staged.note else ""))
    if not done.staged:
        fail("nothing was added — fix the files named above and add them again")
    if done.result is None:
        click.echo(f"the store {store.shown_url} holds no run yet: run `factcheck run {folder}` to analyse the folder")
        return
    for line in addition_lines(done.result):
        click.echo(line)
    pipeline.write_store_outputs(store, Path(out))
    click.echo(f"wrote {Path(out) / 'claims.csv'}, {Path(out) / 'discrepancies.csv'}, {Path(out) / 'facts.csv'}, "
               f"{Path(out) / 'alignments.csv'}; store: {store.shown_url}")


@main.command()
@click.argument("folder", default="sources", type=click.Path(file_okay=False))
@click.option("--interval", default=2.0, show_default=True, type=click.FloatRange(min=0.1), metavar="SECONDS",
              help="Seconds between two looks at the folder.")
@click.option("--settle", default=2.0, show_default=True, type=click.FloatRange(min=0), metavar="SECONDS",
              help="Seconds a file's size and time must stay the same before it is read (it may still be "
                   "being written).")
@click.option("--out", default=None, type=click.Path(file_okay=False),
              help="Folder whose CSVs are rewritten after each batch (default: none; the dashboard reads the store).")
@db_option
@config_option
@one_story_option
@engine_options
@handle_errors
def watch(folder, interval, settle, out, db_url, config_path, one_story, engine_name, scheduler, workers):
    """Add the files that arrive in FOLDER (default: sources/) to the analysis in the store, in
    batches, until Ctrl-C.

    A file is read once it is complete (unchanged for --settle seconds), and each version of a file
    is added once, by the rules of `factcheck add`; files the store holds already are left alone.
    With no run in the store yet, the first batch runs the whole folder."""
    from . import pipeline
    from .store import Store
    from .watch import FolderWatch

    if not Path(folder).is_dir():
        fail(f"{folder}: no such folder — create it, or give the folder the articles arrive in")
    if out:
        output_folder(out)
    settings = settings_for(config_path, db_url, one_story)
    store = Store(settings.db_url)

    def report(batch) -> None:
        if batch.retry:
            click.echo(f"note: {said(batch.retry)} — {len(batch.files)} file(s) tried again at the next look",
                       err=True)
            return
        for err in batch.errors + (batch.addition.errors if batch.addition else []):
            click.echo(f"skipped: {said(err)}", err=True)
        if batch.run is not None:
            click.echo(f"ran {folder}: {len(batch.run.sources)} sources, {len(batch.run.claims)} claims, "
                       f"{len(batch.run.discrepancies)} disputed facts")
        elif batch.addition is not None and batch.addition.result is not None:
            for line in addition_lines(batch.addition.result):
                click.echo(line)
        if out and batch.added:
            pipeline.write_store_outputs(store, Path(out))

    with engine_for(engine_name, scheduler, workers, settings) as engine:
        watcher = FolderWatch(folder, settings, store, engine=engine, settle_seconds=settle)
        click.echo(f"watching {folder} (store {store.shown_url}{', on Dask' if engine else ''}) — Ctrl-C to stop")
        watcher.watch(interval=interval, on_batch=report)
    click.echo(f"stopped watching {folder}: {watcher.added} article(s) added in {watcher.batches} batch(es)")


@main.command()
@db_option
@click.option("--status", "statuses", multiple=True, help="Only these review statuses (repeatable).")
@click.option("--kind", "kinds", multiple=True, help="Only these kinds (repeatable).")
@click.option("--out", default="discrepancies_export.csv", type=click.Path(dir_okay=False), show_default=True)
@click.option("--include-stale", is_flag=True, help="Also facts the latest run no longer finds disputed.")
@click.option("--claimreview", "claimreview_path", type=click.Path(dir_okay=False), default=None,
              help="Also write schema.org ClaimReview JSON-LD for the confirmed facts with a chosen answer.")
@config_option
@handle_errors
def export(db_url, statuses, kinds, out, include_stale, claimreview_path, config_path):
    """Write the editors' CSV (one row per disputed fact, with its sides and review) from the store."""
    from . import export as export_stage
    from .store import Store

    settings = settings_for(config_path, db_url)
    store = Store(settings.db_url)
    rows = store.discrepancy_rows(include_stale=include_stale)
    rows = export_stage.filter_rows(rows, statuses=statuses, kinds=kinds)
    export_stage.write_discrepancies(rows, out)
    click.echo(f"wrote {len(rows)} rows to {out}")
    if claimreview_path:
        from . import claimreview

        if not settings.organisation:
            fail("ClaimReview needs the reviewing organisation: set organisation (and organisation_url, "
                 "review_url) in factcheck.toml or the file given to --config")
        sources = store.source_rows(active_only=False)
        n = claimreview.write_claimreview(
            rows, claimreview_path, organisation=settings.organisation, organisation_url=settings.organisation_url,
            review_url=settings.review_url, source_urls={s["source_id"]: s["url"] for s in sources if s["url"]},
            source_dates={s["source_id"]: s["published"] for s in sources if s["published"]},
            source_outlets={s["source_id"]: s["outlet"] for s in sources},
            claim_sources={cid: sid for r in rows for side in r["sides"]
                           for cid, sid in zip(side["claims"], side.get("claim_sources", ())) if sid})
        click.echo(f"wrote {n} ClaimReview(s) to {claimreview_path} (confirmed facts with a chosen answer)")


def dashboard_command(app_path: Path, *, address: str, port: int, secrets: dict, upload_mb: int) -> tuple[list[str], str]:
    """The ``streamlit run`` command for the dashboard and the line said when it starts.

    Without [auth] in secrets.toml the dashboard has no login, so it listens on this machine only;
    ``AccessError`` when asked to share it anyway, or when the login set-up is incomplete."""
    from .access import auth_problem, auth_section, is_loopback
    from .errors import AccessError

    team = auth_section(secrets) is not None
    problem = auth_problem(secrets)
    if problem:
        raise AccessError(problem)
    if not team and not is_loopback(address):
        raise AccessError(f"the dashboard has no login, so it will not listen on {address or 'every interface'} — "
                          "configure [auth] in .streamlit/secrets.toml (see the README, “Sharing the dashboard "
                          "with a team”), or leave out --address to use it on this machine only")
    url = f"http://{address}:{port}"
    said = (f"Dashboard on {url} — reviewers sign in ([auth] in secrets.toml); only those listed under "
            "[factcheck] reviewers get in" if team else
            f"Dashboard on {url} — only this machine can reach it; configure [auth] in "
            ".streamlit/secrets.toml to share it with a team")
    cmd = [sys.executable, "-m", "streamlit", "run", str(app_path), "--server.address", address,
           "--server.port", str(port), "--server.maxUploadSize", str(upload_mb), "--server.headless", "true",
           "--browser.gatherUsageStats", "false", "--client.toolbarMode", "viewer"]
    return cmd, said


@main.command()
@db_option
@click.option("--port", default=8501, show_default=True)
@click.option("--address", default="127.0.0.1", show_default=True,
              help="Interface to listen on; another than this machine's (127.0.0.1) needs a login "
                   "configured in [auth] of .streamlit/secrets.toml.")
@config_option
@handle_errors
def app(db_url, port, address, config_path):
    """Start the review dashboard (Streamlit): on this machine only, or for a team behind a login."""
    from .access import read_secrets, secrets_files

    app_path = Path(__file__).resolve().parent.parent / "app.py"
    if not app_path.exists():
        fail(f"{app_path} not found — run from a checkout of factcheck")
    env = dict(os.environ)
    if db_url:
        env["FACTCHECK_DB"] = db_url
    if config_path:
        env["FACTCHECK_CONFIG"] = str(Path(config_path).resolve())
    settings = load_settings(config_path, db_url=db_url)  # the dashboard reads it by the same rule
    upload_mb = max(1, -(-settings.max_source_bytes // 2**20))  # Streamlit counts MiB; ingest checks bytes
    cmd, line = dashboard_command(app_path, address=address, port=port,
                                  secrets=read_secrets(secrets_files(app_path.parent)), upload_mb=upload_mb)
    click.echo(line)
    start_server(cmd, env)


def start_server(cmd: list[str], env: dict) -> None:
    """Become the Streamlit server (exec, not a child): a stop signal (Ctrl-C, SIGTERM from a
    service manager) reaches the server itself and leaves nothing running."""
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(cmd[0], cmd, env)


@main.group(name="eval")
def eval_group():
    """Score the tool against gold data."""


@eval_group.command("seeds")
@click.argument("gold", type=click.Path(dir_okay=False, exists=True))
@click.option("--sources", "sources_dir", default="sources", type=click.Path(file_okay=False), show_default=True)
@config_option
@handle_errors
def eval_seeds(gold, sources_dir, config_path):
    """Score a gold CSV of expected flags, non-flags and no-claim lines."""
    from . import evaluate, pipeline

    settings = load_settings(config_path)
    result = pipeline.run(sources_dir, settings)
    report = evaluate.score_seeds(result, gold)
    for line in report.lines():
        click.echo(line)


@eval_group.command("cases")
@click.argument("gold", type=click.Path(dir_okay=False, exists=True))
@click.argument("out_dirs", nargs=-1, required=True, metavar="RUN_OUT_DIR...",
                type=click.Path(file_okay=False, exists=True))
@click.option("--labels", "labels_path", default=None, type=click.Path(dir_okay=False, exists=True),
              help="Labels of the first 20 rows of each case (tp/dup/fp): prints P@20.")
@click.option("--verbose", "verbose", is_flag=True, help="Every gold row found or missed, and unlabelled rows.")
@handle_errors
def eval_cases(gold, out_dirs, labels_path, verbose):
    """Score runs of multi-outlet cases (each RUN_OUT_DIR named after its case) against GOLD rows
    (id,case,expect,kind,pattern_a,pattern_b,note): must-flag recall, must-not-flag violations,
    rows per found conflict, per kind; with --labels, precision of the first 20 rows."""
    from . import cases

    report = cases.eval_cases(gold, out_dirs, labels_path)
    for line in report.lines(verbose=verbose):
        click.echo(line)


@eval_group.command("align")
@click.argument("file", type=click.Path(dir_okay=False, exists=True))
@click.option("--topics", default=None, metavar="RANGES", help="Topics to score, e.g. 1-35 or 1,3,5-7 (default: all in FILE).")
@click.option("--limit-docs", type=int, default=None, metavar="N", help="Only the first N articles of each topic.")
@click.option("--mode", type=click.Choice(["sentences", "claims"]), default="sentences", show_default=True,
              help="sentences: one claim per sentence (alignment alone); claims: the real claims stage.")
@config_option
@handle_errors
def eval_align(file, topics, limit_docs, mode, config_path):
    """Score claim alignment on ECB+ articles (FILE.jsonl): pairwise precision, recall and F1."""
    import time

    from . import ecb, evaluate

    settings = load_settings(config_path)
    started: dict[str, float] = {}

    def progress(stage: str, done: int, total: int) -> None:
        if stage not in started or done >= total:
            started.setdefault(stage, time.perf_counter())
            click.echo(f"{stage}: {done}/{total} ({time.perf_counter() - started[stage]:.0f}s)", err=True)

    report = evaluate.eval_align(file, settings, topics=ecb.parse_topics(topics), limit_docs=limit_docs,
                                 mode=mode, progress=progress)
    for line in report.lines():
        click.echo(line)


if __name__ == "__main__":
    main()
