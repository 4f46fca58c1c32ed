"""Adding articles to the sources folder: one policy for the command line (``factcheck add``) and
the dashboard's upload.

An article joins the folder only once it is known to be one: it is read as ingest reads it
(refused if empty, binary, oversized, not English, without an article), and, when the store holds
a run, analysed; a file the analysis could not take is taken out of the folder again, so a bad
file never breaks the later runs. A file of the same name with other content is not overwritten:
the article is saved under the next free name (``name_2.html``) and the caller is told.
"""
from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

from . import ingest, pipeline
from .config import Settings
from .errors import NoRunError, NoSourcesError, SourceError
from .models import stable_id

# Longest file-name stem kept from an upload or a URL.
MAX_STEM = 80
# What the folder reads (ingest.candidate_files): articles, and URL lists.
READ_SUFFIXES = {*ingest.SOURCE_SUFFIXES, "", ".list", ".urls"}


@dataclass
class Staged:
    path: Path  # where the article is in the folder
    created: bool  # written now (and so removed again if the analysis refuses it)
    note: str = ""  # said to the user: saved under another name


@dataclass
class Addition:
    staged: list[Staged] = field(default_factory=list)  # files kept in the folder
    errors: list[SourceError] = field(default_factory=list)  # one per refused item
    result: object | None = None  # the pipeline's AddResult when the analysis ran
    removed: list[str] = field(default_factory=list)  # files taken out again: the analysis refused them


def safe_name(name: str) -> str:
    """A file name of the folder for ``name``: no directories, no leading dot or dash, plain
    characters. ``SourceError`` for a kind of file the folder does not read (``.exe``)."""
    base = Path(name or "").name.strip().lstrip(".-")
    stem, suffix = Path(base).stem, Path(base).suffix.lower()
    if suffix not in READ_SUFFIXES:
        raise SourceError(name, f"is not an article file ({suffix} files are not read)",
                          "save the article as .txt, .html or .md")
    stem = re.sub(r"[^\w.-]+", "_", stem)[:MAX_STEM].strip("._") or "article"
    return stem + suffix


def url_name(url: str) -> str:
    slug = "-".join(re.findall(r"[A-Za-z0-9]+", url.split("://", 1)[-1]))[:MAX_STEM] or "page"
    return f"{slug}_{stable_id(url, length=8)}.html"


def stage(name: str, data: bytes, folder: Path, settings: Settings) -> Staged:
    """Check ``data`` as ingest would read it under ``name``, then save it into ``folder``.

    Raises ``SourceError`` when it is not an article. The same bytes already in the folder are
    that file; another file of the name gets the next free name."""
    name = safe_name(name)
    with tempfile.TemporaryDirectory() as tmp:
        probe = Path(tmp) / name
        probe.write_bytes(data)
        ingest.read_source(probe, settings, name=name)  # raises what ingest refuses
    folder.mkdir(parents=True, exist_ok=True)
    path, n = folder / name, 1
    while path.exists():
        if path.is_file() and path.read_bytes() == data:
            return Staged(path, created=False)
        n += 1
        path = folder / f"{Path(name).stem}_{n}{Path(name).suffix}"
    path.write_bytes(data)
    note = f"saved as {path.name}: {name} in the folder holds another article" if path.name != name else ""
    return Staged(path, created=True, note=note)


def stage_item(item: str, folder: Path, settings: Settings) -> Staged:
    """A file path or an http(s) URL from the command line, staged."""
    if ingest.URL_RE.match(item):
        return stage(url_name(item.strip()), ingest.fetch_bytes(item.strip(), settings), folder, settings)
    path = Path(item)
    if not path.is_file():
        raise SourceError(item, "no such file", "check the path")
    if path.resolve().parent == folder.resolve():  # already in the folder: analysed where it is
        ingest.read_source(path, settings)
        return Staged(path, created=False)
    return stage(path.name, ingest.read_bytes(path, path.name, settings), folder, settings)


def add_to_folder(items: Sequence[tuple[str, bytes | None]], folder: str | Path, settings: Settings, *,
                  store=None, progress: Callable[[str, int, int], None] | None = None, engine=None) -> Addition:
    """Stage each item (``(name, bytes)`` of an upload, or ``(path or URL, None)``), then, when the
    store holds a run, add the staged articles to it. Files created here that the analysis did not
    take are removed again (also when none could be added); on any other error the files created
    here are removed and the error raised."""
    folder = Path(folder)
    done = Addition()
    for name, data in items:
        try:
            done.staged.append(stage_item(name, folder, settings) if data is None else
                               stage(name, data, folder, settings))
        except SourceError as err:
            done.errors.append(err)
    if not done.staged or store is None or not store.has_story_index():
        return done
    try:
        result = pipeline.add(folder, [s.path for s in done.staged], settings, store=store,
                              progress=progress or (lambda *_: None), engine=engine)
    except NoRunError:
        return done
    except NoSourcesError as exc:  # none could be added: every file created here goes again
        done.removed = _remove([s for s in done.staged if s.created])
        done.staged = []
        done.errors.extend(exc.errors)
        return done
    except BaseException:
        _remove([s for s in done.staged if s.created])
        raise
    added = {s.name for s in result.sources}
    refused = [s for s in done.staged if s.created and s.path.name not in added]
    done.removed = _remove(refused)
    done.staged = [s for s in done.staged if s not in refused]
    done.result = result
    done.errors.extend(result.errors)
    return done


def _remove(staged: Sequence[Staged]) -> list[str]:
    names = []
    for s in staged:
        s.path.unlink(missing_ok=True)
        names.append(s.path.name)
    return names
