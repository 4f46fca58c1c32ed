"""Ingest: read source files (text scrapes, saved HTML, Markdown, URL lists) into ``Source`` records.

Every source gets a stable id from its name. Metadata comes, in order of precedence, from the
manifest (``sources/sources.csv``), from the page itself (an "Outlet - Title" first line, HTML meta,
a dateline) and, for the outlet only, from the file name (logged, so the user knows to fix it).

``Source.raw`` is the decoded text with mojibake repaired (ftfy): every later offset points into it.
"""
from __future__ import annotations

import csv
import logging
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Callable, Iterator

import charset_normalizer
import ftfy

from . import language
from .clean import classify_line, extract_html, label_lines, split_lines
from .meta import detect_html_meta, detect_text_meta, outlet_from_name
from .config import Settings
from .errors import ManifestError, NoSourcesError, SourceError
from .fetch import fetch_bytes
from .models import Source, stable_id

log = logging.getLogger(__name__)

SOURCE_SUFFIXES = {".txt": "txt", ".html": "html", ".htm": "html", ".md": "md", ".markdown": "md"}
MANIFEST_COLUMNS = ("file", "url", "outlet", "published", "language", "title", "story")
# Bytes looked at to tell a binary file from text (NUL bytes); a page's head is enough.
BINARY_SNIFF_BYTES = 8192
# charset-normalizer "chaos" (0..1, share of odd characters) by which Windows-1252 may read worse than
# the best guess and still win: on a short English page cp1250/cp850 tie with it (chaos 0.0-0.01) and
# only cp1252 gives the right curly quotes and euro sign; a Cyrillic cp1251 page is not cp1252 at all.
CP1252_CHAOS_TOLERANCE = 0.02
# A file is a URL list when at least this share of its non-blank, non-comment lines are URLs.
# Chosen so one stray note line in a list of links still counts, but an article citing links does not.
URL_LIST_MIN_SHARE = 0.8

# UTF-16 without a byte-order mark: share of the high bytes that are NUL (Latin text: all but a
# few curly quotes and dashes) and of the decoded characters that are printable.
UTF16_ZERO_SHARE = 0.9
# Words holding a letter that is not ASCII, to look at for mixed scripts.
MIXED_CANDIDATE_RE = re.compile(r"\w*[^\x00-\x7f\W]\w*")
DECLARED_CHARSET_RE = re.compile(rb"<meta[^>]+charset=[\"']?([A-Za-z0-9_-]+)", re.IGNORECASE)
# What ftfy may change in ASCII text: entities (&amp;), carriage returns, escapes and other controls.
ASCII_TO_REPAIR = re.compile(r"[&\x00-\x08\x0b-\x1f\x7f]")
URL_RE = re.compile(r"^\s*https?://\S+\s*$", re.IGNORECASE)
# A line of a URL list: any scheme://, and the schemes that need no "//" (javascript:, data:, file:),
# so that such a line is refused by name (factcheck.fetch fetches http and https only), not skipped.
LISTED_URL_RE = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*://|(?:javascript|vbscript|data|file|about|blob|mailto):)"
                           r"\S+\s*$", re.IGNORECASE)


# A file read before: (name, bytes, manifest row) -> its Source, or None.
Known = Callable[[str, bytes, "dict | None"], "Source | None"]


# --- folder ------------------------------------------------------------------------------------

def load_sources(folder: str | Path, settings: Settings, *, known: Known | None = None
                 ) -> tuple[list[Source], list[SourceError]]:
    """Read every source in ``folder``; errors for one file are collected, the others still load.

    ``known(name, data, manifest_row)`` may return the Source of a file read before with the same
    bytes and manifest row; the file is then not decoded and parsed again.

    Raises ``NoSourcesError`` when the folder is missing or holds no source file. A manifest row
    with a problem is one error (a ``ManifestError``) and is not applied; the others are.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise NoSourcesError(f"{folder}: no such folder — create it and put .txt/.html/.md articles in it")
    errors: list[SourceError] = []
    manifest = read_manifest(folder / settings.manifest_name, folder=folder, errors=errors)
    sources: list[Source] = []
    for path in candidate_files(folder, settings, errors):
        loaded, failed = load_file(path, folder, settings, manifest.pop(path.name, None), known)
        sources.extend(loaded)
        errors.extend(failed)
    for url, meta in manifest.items():  # manifest rows that name a URL and no file
        loaded, failed = _guarded(lambda u=url, m=meta: [fetch_url(u, settings, meta=m)], url)
        sources.extend(loaded)
        errors.extend(failed)
    if not sources and not errors:
        raise NoSourcesError(f"{folder}: no source files — add .txt, .html or .md articles (or a urls.txt list)")
    return sources, errors


def candidate_files(folder: Path, settings: Settings, errors: list | None = None) -> list[Path]:
    """Files in ``folder`` that may be sources: not hidden, not the manifest, sorted by name.

    A link is followed only to a file inside the folder; a link elsewhere, a broken link and a
    subfolder are not read, each one error in ``errors`` (when given)."""
    files = []
    inside = folder.resolve()
    for path in sorted(folder.iterdir()):
        if path.name.startswith((".", "_", "~")) or path.name == settings.manifest_name:
            continue
        problem = _not_readable_here(path, inside)
        if problem:
            if errors is not None:
                errors.append(SourceError(path.name, *problem))
            continue
        if path.suffix.lower() in SOURCE_SUFFIXES or path.suffix.lower() in ("", ".list", ".urls"):
            files.append(path)
    return files


def _not_readable_here(path: Path, inside: Path) -> tuple[str, str] | None:
    """(problem, hint) for an entry of the folder that is not read, None for a file to read."""
    if path.is_symlink():
        try:
            target = path.resolve(strict=True)
        except (OSError, RuntimeError):
            return "is a link to nothing (its target is gone)", "remove the link, or copy the article into the folder"
        if not target.is_relative_to(inside):
            return (f"is a link to a {'folder' if target.is_dir() else 'file'} outside the sources folder, "
                    "which is not read", "copy the article itself into the folder")
    if path.is_dir():
        return ("is a folder: only the files directly in the sources folder are read",
                "move its articles up, or name it _" + path.name + " to keep it out")
    if not path.is_file():
        return "is not a regular file", "copy the article into the folder as a .txt or .html file"
    return None


def load_file(path: Path, folder: Path, settings: Settings, meta: dict | None,
              known: Known | None = None) -> tuple[list[Source], list[SourceError]]:
    """The sources of one file of ``folder`` (a URL list gives several) and the errors met, one
    per source that could not be read. See ``load_sources`` for ``known``."""
    try:
        name = path.absolute().relative_to(folder.absolute()).as_posix()
    except ValueError:
        return [], [SourceError(str(path), f"is not inside the sources folder {folder}",
                                f"copy it into {folder} first (adding it does)")]
    try:
        data = read_bytes(path, name, settings)
        if known is not None and (seen := known(name, data, meta)) is not None:
            return [seen], []
        text = decode(data, name)
    except SourceError as err:
        return [], [err]
    if is_url_list(text):
        return _load_url_list(text, settings)
    return _guarded(lambda: [read_source(path, settings, meta, name=name, text=text)], name)


def _load_url_list(text: str, settings: Settings) -> tuple[list, list]:
    sources, errors = [], []
    for url in (line.strip() for line in text.splitlines()):
        if LISTED_URL_RE.match(url):  # fetch_url refuses the lines that are not http(s), each by name
            loaded, failed = _guarded(lambda u=url: [fetch_url(u, settings)], url)
            sources.extend(loaded)
            errors.extend(failed)
    return sources, errors


def _guarded(load, name: str) -> tuple[list, list]:
    """Run ``load``; a ``SourceError`` becomes a collected error, not a crash (the caller reports
    every collected error once: the CLI prints each as one line)."""
    try:
        return load(), []
    except SourceError as err:
        log.debug("%s", err)
        return [], [err]
    except Exception as exc:  # noqa: BLE001 — one file that trips a parser must not stop the run
        log.debug("reading %s failed", name, exc_info=True)
        return [], [unexpected(name, "reading", exc)]


def unexpected(name: str, stage: str, exc: BaseException) -> SourceError:
    """The one-line error of a file that raised something no check foresaw."""
    return SourceError(name, f"{stage} it failed ({type(exc).__name__}: {str(exc)[:120]})",
                       "the other files were processed; please report this file to the factcheck maintainers")


def is_url_list(text: str) -> bool:
    """True when (nearly) every non-blank, non-comment line is a URL (of any scheme: a list of
    ``file:`` lines is a URL list whose lines are refused, not an article)."""
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    if not lines:
        return False
    return sum(bool(LISTED_URL_RE.match(ln)) for ln in lines) / len(lines) >= URL_LIST_MIN_SHARE


# --- one file ----------------------------------------------------------------------------------

def read_source(path: str | Path, settings: Settings, meta: dict | None = None, *,
                name: str | None = None, text: str | None = None) -> Source:
    """Read one source file. ``meta`` (a manifest row) overrides what is detected.

    Raises ``SourceError`` for an empty, binary or oversized file, or a page with no article.
    """
    path = Path(path)
    name = name or path.name
    if text is None:
        text = decode(read_bytes(path, name, settings), name)
    kind = SOURCE_SUFFIXES.get(path.suffix.lower(), "txt")
    if kind != "html" and looks_like_html(text):
        kind = "html"
    detected = detect_html_meta(text) if kind == "html" else detect_text_meta(text)
    if kind == "html":
        require_english(" ".join(block for _, block in _require_article(text, name)), name)
    else:
        require_english(text, name)
        title = text_title(text, name, markdown=kind == "md")
        detected["title"] = detected.get("title") or title
    return make_source(name, text, kind, detected, meta)


def text_title(text: str, name: str, *, markdown: bool = False) -> str:
    """The headline the cleaner finds before the article ("" if none); ``SourceError`` if no article."""
    lines = split_lines(text, markdown=markdown)
    for line in lines:
        line.kind, line.reason = classify_line(line.text)
    labels = [label for label, _ in label_lines(lines)]
    if "body" not in labels:
        raise SourceError(name, "no article text found (only page furniture or fragments)",
                          "check that the file holds the article itself")
    return next((ln.text for ln, label in zip(lines, labels) if label == "title"), "")


def make_source(name: str, raw: str, kind: str, detected: dict, meta: dict | None) -> Source:
    """Merge detected metadata with the manifest row (the row wins) into a ``Source``."""
    fields = {k: v for k, v in detected.items() if v}
    fields.update({k: v for k, v in (meta or {}).items() if v and k != "file"})
    outlet = fields.get("outlet") or outlet_from_name(name)
    if not fields.get("outlet"):
        log.warning("%s: no outlet found in the page; using %r from the file name — set it in the outlet "
                    "column of the manifest (sources.csv)", name, outlet)
    return Source(
        source_id=stable_id(name), name=name, outlet=outlet, title=fields.get("title", ""),
        url=fields.get("url", ""), published=fields.get("published"), language=fields.get("language", "en"),
        raw=raw, kind=kind, story=fields.get("story", ""),
    )


def read_bytes(path: Path, name: str, settings: Settings) -> bytes:
    """The file's bytes; refuses empty and oversized files."""
    try:
        size = path.stat().st_size
        if size > settings.max_source_bytes:
            raise SourceError(name, f"file is {size:,} bytes, over the {settings.max_source_bytes:,}-byte limit",
                              "save only the article page, or raise max_source_bytes in the config")
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(name, f"cannot be read ({exc.strerror or type(exc).__name__})",
                          "check the file's permissions, or copy it again") from None
    if not data.strip():
        raise SourceError(name, "file is empty", "save the article's text into it, or delete it")
    return data


def decode(data: bytes, name: str) -> str:
    """Decode bytes whatever their encoding (detected, not assumed), then repair mojibake."""
    if not data.startswith((b"\xff\xfe", b"\xfe\xff")) and b"\x00" in data[:BINARY_SNIFF_BYTES]:
        wide = utf16_without_bom(data)
        if wide is None:
            raise SourceError(name, "looks like a binary file, not text", "save the article as .txt or .html")
        return repair(wide)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = decode_declared(data) or detect_and_decode(data)
        if text is None:
            raise SourceError(name, "could not decode the file as text", "re-save it as UTF-8 text or HTML") from None
    return repair(text)


def utf16_without_bom(data: bytes) -> str | None:
    """The text of UTF-16 bytes saved without a byte-order mark (Windows tools do), else None.

    Text in UTF-16 has a NUL in (nearly) every other byte for Latin letters: the odd bytes for
    little-endian, the even ones for big-endian. A binary file has NULs anywhere."""
    head = data[:BINARY_SNIFF_BYTES]
    if len(head) < 4:
        return None
    for codec, zeros in (("utf-16-le", head[1::2]), ("utf-16-be", head[0::2])):
        if zeros.count(0) >= UTF16_ZERO_SHARE * len(zeros):
            try:
                text = data[: len(data) // 2 * 2].decode(codec)
            except UnicodeDecodeError:
                continue
            printable = sum(ch.isprintable() or ch in "\n\r\t" for ch in text[:BINARY_SNIFF_BYTES])
            if printable >= UTF16_ZERO_SHARE * min(len(text), BINARY_SNIFF_BYTES):
                return text
    return None


def decode_declared(data: bytes) -> str | None:
    """Decode with the charset an HTML page declares in its head (None when absent or wrong).

    A declaration can be wrong and still decode (a Windows-1252 page declared windows-1251 reads
    "café" as "cafй"): it is trusted unless its reading mixes scripts inside words and the
    encoding found in the bytes mixes fewer."""
    m = DECLARED_CHARSET_RE.search(data[:BINARY_SNIFF_BYTES])
    if not m:
        return None
    declared = m.group(1).decode("ascii")
    try:
        text = data.decode(declared)
    except (LookupError, UnicodeDecodeError):
        return None
    if text.isascii() or not mixed_script_words(text):
        return text
    other = detect_and_decode(data)
    return other if other is not None and len(mixed_script_words(other)) < len(mixed_script_words(text)) else text


def mixed_script_words(text: str) -> list[str]:
    """Words that mix Latin letters with letters of another script ("cafй"): the mark of bytes
    decoded with the wrong code page (a real word is written in one script)."""
    found = []
    for word in MIXED_CANDIDATE_RE.findall(text):
        scripts = {language.script_of(ch) for ch in word if ch.isalpha()}
        if "Latin" in scripts and len(scripts - {"Other"}) > 1:
            found.append(word)
    return found


def detect_and_decode(data: bytes) -> str | None:
    """Decode non-UTF-8 bytes with the encoding charset-normalizer finds (None when it finds none).

    Single-byte code pages often decode a short English page equally well; then Windows-1252, the
    usual legacy encoding of Western news pages, is preferred when it reads the bytes about as cleanly.
    """
    best = charset_normalizer.from_bytes(data).best()
    western = charset_normalizer.from_bytes(data, cp_isolation=["cp1252"]).best()
    if western is not None and (best is None or western.chaos <= best.chaos + CP1252_CHAOS_TOLERANCE):
        return str(western)
    return str(best) if best is not None else None


def repair(text: str) -> str:
    """Fix mojibake ("â€™" -> "’") and line breaks; keeps curly quotes as the outlet wrote them.

    Plain ASCII with no HTML entity, carriage return or control character holds nothing ftfy
    fixes, and is returned as it is (ftfy was 70% of reading a folder of such files)."""
    if text.isascii() and not ASCII_TO_REPAIR.search(text):
        return text
    return ftfy.fix_text(text, uncurl_quotes=False)


def looks_like_html(text: str) -> bool:
    head = text[:2000].lstrip().lower()
    return head.startswith(("<!doctype html", "<html")) or ("<body" in head and "</" in head)


def _require_article(html: str, name: str) -> list[tuple[str, str]]:
    """The article's blocks in the page; ``SourceError`` when there is none."""
    blocks = extract_html(html)
    if not blocks:
        raise SourceError(name, "no article found in the page (a cookie wall, a login page or an index?)",
                          "save the article page itself, or paste its text into a .txt file")
    return blocks


def require_english(text: str, name: str) -> None:
    """``SourceError`` for an article in another language: the claim reader is English only."""
    found = language.detect(text)
    if not found.english:
        raise SourceError(name, f"is written in {found.name}, not English ({found.evidence})",
                          "factcheck reads English articles: add an English translation as a .txt file, "
                          "or leave this one out")


# --- manifest ----------------------------------------------------------------------------------

def read_manifest(path: Path, *, folder: Path | None = None, only: set[str] | None = None,
                  errors: list | None = None) -> dict[str, dict]:
    """Rows of the manifest keyed by file name (or URL); ``{}`` when there is no manifest. With
    ``only``, just the rows of those names are checked and returned.

    A row with a problem (a missing file, a date that is not one or is out of range, a repeated
    file, an unbalanced quote) is skipped; with ``errors`` given, each problem is appended there as a
    ``ManifestError`` naming the row and column and the other rows are kept; without it the first
    problem is raised. A manifest that cannot be read at all is one error and no rows.
    """
    if not path.exists():
        return {}
    problems: list[ManifestError] = []
    try:
        rows = _manifest_rows(path, problems)
    except ManifestError as err:
        rows, problems = [], [err]
    folder = folder or path.parent
    table: dict[str, dict] = {}
    first_row: dict[str, int] = {}
    for row_no, row in rows:
        key = row.get("file") or row.get("url")
        if only is not None and key not in only:
            continue
        try:
            if key in first_row:
                raise ManifestError(str(path), row_no, "file" if row.get("file") else "url",
                                    f"{key!r} is already described in row {first_row[key]}; this row is ignored",
                                    "keep one row per file")
            meta = _manifest_row(path, row_no, row, folder)
        except ManifestError as err:
            problems.append(err)
            continue
        first_row[key] = row_no
        table[key] = meta
    if problems and errors is None:
        raise problems[0]
    if errors is not None:
        errors.extend(problems)
    return table


def _manifest_rows(path: Path, problems: list) -> list[tuple[int, dict]]:
    """(line number, row) of each record. Records are read one at a time, so a cell whose quote
    is never closed costs its own line only, not every row after it."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ManifestError(str(path), None, None, "not UTF-8 text (a spreadsheet's own format, or another encoding?)",
                            "save it from your spreadsheet as CSV UTF-8") from None
    if "\x00" in text:
        raise ManifestError(str(path), None, None, "not a CSV file (binary data)", "save it as CSV UTF-8")
    records = list(_csv_records(text.splitlines(), str(path), problems))
    if not records:
        raise ManifestError(str(path), 1, None, "empty: no header row",
                            f"write a header of {', '.join(MANIFEST_COLUMNS)} (or delete the file)")
    header_line, header = records[0]
    header = [h.strip().lower() for h in header]
    if "file" not in header and "url" not in header:
        raise ManifestError(str(path), header_line, None, "not a manifest: the header needs a 'file' or 'url' column",
                            f"use the columns {', '.join(MANIFEST_COLUMNS)}")
    unknown = [h for h in header if h not in MANIFEST_COLUMNS]
    if unknown:
        raise ManifestError(str(path), header_line, unknown[0], "unknown column", f"use only {', '.join(MANIFEST_COLUMNS)}")
    rows = []
    for line_no, cells in records[1:]:
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > len(header):
            problems.append(ManifestError(str(path), line_no, None, "more cells than columns; the row is ignored",
                                          "quote cells that hold commas"))
            continue
        cells = cells + [""] * (len(header) - len(cells))
        rows.append((line_no, {k: v.strip() for k, v in zip(header, cells)}))
    return rows


def _csv_records(lines: list[str], where: str, problems: list) -> Iterator[tuple[int, list[str]]]:
    """(line number, cells) per CSV record. A record may span lines inside a quoted cell; one whose
    quote is not closed properly (by the end of the file, or followed by more than a comma) is
    reported and only its first line skipped."""
    i = 0
    while i < len(lines):
        j = i
        chunk = lines[i]
        while chunk.count('"') % 2 and j + 1 < len(lines):
            j += 1
            chunk += "\n" + lines[j]
        try:
            if chunk.count('"') % 2:
                raise csv.Error("unclosed quote")
            parsed = list(csv.reader([chunk], strict=True)) if chunk.strip() else [[]]
        except csv.Error:
            problems.append(ManifestError(where, i + 1, None, "a quote (\") is not closed in this row; the row is ignored",
                                          "close the quote, or remove it"))
            i += 1
            continue
        yield i + 1, (parsed[0] if parsed else [])
        i = j + 1


def _manifest_row(path: Path, row_no: int, row: dict, folder: Path) -> dict:
    where = str(path)
    if not row.get("file") and not row.get("url"):
        raise ManifestError(where, row_no, "file", "neither file nor url is given", "fill in one of the two")
    if row.get("file") and not (folder / row["file"]).is_file():
        raise ManifestError(where, row_no, "file", f"no file named {row['file']!r} in {folder}",
                            "fix the name or remove the row")
    if row.get("url") and not re.match(r"^https?://\S+$", row["url"]):
        raise ManifestError(where, row_no, "url", f"{row['url']!r} is not an http(s) URL", "give the full address")
    meta = dict(row)
    if row.get("story"):
        meta["story"] = " ".join(row["story"].split())  # a name: one line, single spaces
    if row.get("published"):
        try:
            meta["published"] = date.fromisoformat(row["published"])
        except ValueError:
            raise ManifestError(where, row_no, "published", f"{row['published']!r} is not a date",
                                "write it as YYYY-MM-DD") from None
        if not plausible_publication(meta["published"]):
            raise ManifestError(where, row_no, "published",
                                f"{meta['published']} is not a plausible publication date "
                                f"(from {EARLIEST_PUBLICATION} to a few days from today)", "check the year")
    return meta


# Publication dates the manifest accepts: news on the web, with a few days' grace for time zones and
# scheduled pieces; an archive before 1900 is not what the tool reads.
EARLIEST_PUBLICATION = date(1900, 1, 1)
LATEST_PUBLICATION_DAYS = 7


def plausible_publication(day: date) -> bool:
    return EARLIEST_PUBLICATION <= day <= date.today() + timedelta(days=LATEST_PUBLICATION_DAYS)


# --- URLs --------------------------------------------------------------------------------------

def fetch_url(url: str, settings: Settings, *, meta: dict | None = None) -> Source:
    """Fetch a page and ingest it as HTML; a clear ``SourceError`` when it is refused (see
    ``factcheck.fetch``) or the network is unavailable."""
    text = decode(fetch_bytes(url, settings), url)
    require_english(" ".join(block for _, block in _require_article(text, url)), url)
    detected = detect_html_meta(text)
    detected["url"] = detected.get("url") or url
    return make_source(url, text, "html", detected, meta)
