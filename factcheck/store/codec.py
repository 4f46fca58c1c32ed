"""Records to rows and back: one codec per record type, built from the dataclass's fields and its
table's columns, and the story index's own encoding.

A codec copies each field to the column of the same name, except the few that ``encoded`` names
(JSON, dates, tuples). It refuses to be built when a field has no column, so a field added to a
record cannot be dropped on its way through the store (as ``Source.story`` once was). Reading
back, a NULL column gives the field's default.
"""
from __future__ import annotations

import io
import json
from collections import Counter
from dataclasses import MISSING, fields
from datetime import date
from typing import Any, Callable, Generic, Mapping, NamedTuple, Sequence, TypeVar

import numpy as np
from sqlalchemy import Table

from ..models import Alignment, Answer, Claim, DateSpan, Discrepancy, Entity, Fact, Quantity, Source
from ..stories import StoryIndex
from . import schema

R = TypeVar("R")


class Encoding(NamedTuple):
    """How one field is written to its column and read back."""
    encode: Callable[[Any], Any]
    decode: Callable[[Any], Any]


def _fields(record) -> dict:
    """A flat record as a dict (``dataclasses.asdict`` deep-copies, ten times slower)."""
    return {f: getattr(record, f) for f in record.__dataclass_fields__}


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _from_day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


# a publication date: "" for none, as the store has always written it
ISO_DAY = Encoding(lambda v: v.isoformat() if isinstance(v, date) else "", _from_day)
# a tuple of strings as a JSON list (ASCII-escaped, as the store has always written it)
STRINGS = Encoding(lambda v: json.dumps(list(v)), lambda text: tuple(json.loads(text or "[]")))
# a free-form dict as JSON, keys sorted (a changed order is no change)
JSON_DICT = Encoding(lambda v: json.dumps(v, default=str, sort_keys=True), lambda text: json.loads(text or "{}"))


def records(kind: type, *, days: Sequence[str] = ()) -> Encoding:
    """A tuple of flat records of ``kind`` as a JSON list of objects; the fields named in ``days``
    are dates, written as ISO strings."""
    def encode(items) -> str:
        return json.dumps([{**_fields(x), **{d: _day(getattr(x, d)) for d in days}} for x in items],
                          ensure_ascii=False)

    def decode(text: str | None) -> tuple:
        return tuple(kind(**{**d, **{k: _from_day(d[k]) for k in days}}) for d in json.loads(text or "[]"))
    return Encoding(encode, decode)


class Codec(Generic[R]):
    """A record type and its table: ``row`` writes a record (plus the row's own columns, such as
    ``active``), ``record`` reads one back from a row (a mapping of column names)."""

    def __init__(self, kind: type[R], table: Table, encoded: Mapping[str, Encoding] | None = None, *,
                 row_only: Sequence[str] = ()):
        self.kind, self.table, self.row_only = kind, table, tuple(row_only)
        names = [f.name for f in fields(kind)]
        lost = [n for n in names if n not in table.c]
        if lost:
            raise TypeError(f"{kind.__name__}.{lost[0]} has no column in the {table.name} table: add the column "
                            "(and a migration), or the store drops it")
        unknown = sorted(set(table.c.keys()) - set(names) - set(row_only))
        if unknown:
            raise TypeError(f"the {table.name} table's column {unknown[0]!r} is neither a field of "
                            f"{kind.__name__} nor one of its row's own columns")
        encoded = dict(encoded or {})
        stray = sorted(set(encoded) - set(names))
        if stray:
            raise TypeError(f"{kind.__name__} has no field {stray[0]!r} to encode")
        self._write = [(n, encoded[n].encode if n in encoded else None) for n in names]
        self._read = [(n, encoded[n].decode if n in encoded else None, _default(f)) for n, f in
                      zip(names, fields(kind))]

    def row(self, record: R, **own) -> dict:
        """The table row of ``record``; ``own`` gives the row's own columns (``row_only``)."""
        row = {n: getattr(record, n) if enc is None else enc(getattr(record, n)) for n, enc in self._write}
        row.update(own)
        return row

    def record(self, row: Mapping) -> R:
        """The record a row holds (its other columns ignored)."""
        values = {}
        for name, dec, default in self._read:
            value = row[name]
            if dec is not None:
                values[name] = dec(value)
            elif value is not None or default is MISSING:
                values[name] = value
            else:
                values[name] = default
        return self.kind(**values)


def _default(f):
    if f.default is not MISSING:
        return f.default
    return f.default_factory() if f.default_factory is not MISSING else MISSING


SOURCE = Codec(Source, schema.sources, {"published": ISO_DAY, "also_outlets": STRINGS}, row_only=("active",))
CLAIM = Codec(Claim, schema.claims, {"entities": records(Entity), "quantities": records(Quantity),
                                     "dates": records(DateSpan, days=("start", "end"))}, row_only=("active",))
FACT = Codec(Fact, schema.facts, {"answers": records(Answer)})
DISCREPANCY = Codec(Discrepancy, schema.discrepancies, {"detail": JSON_DICT},
                    row_only=("rank", "active", "first_seen", "last_seen"))
ALIGNMENT = Codec(Alignment, schema.alignments)


def source_row(s: Source) -> dict:
    return SOURCE.row(s, active=True)


def source_from_row(r) -> Source:
    return SOURCE.record(r)


def claim_row(c: Claim) -> dict:
    return CLAIM.row(c, active=True)


def claim_from_row(r) -> Claim:
    """The inverse of ``claim_row``."""
    return CLAIM.record(r)


def fact_row(f: Fact) -> dict:
    return FACT.row(f)


def fact_from_row(r) -> Fact:
    return FACT.record(r)


def discrepancy_row(d: Discrepancy, rank: int, first_seen: int, run_id: int) -> dict:
    """The row of a discrepancy found by run ``run_id``, ranked ``rank``, first seen by ``first_seen``."""
    return DISCREPANCY.row(d, rank=rank, active=True, first_seen=first_seen, last_seen=run_id)


def discrepancy_from_row(r) -> Discrepancy:
    return DISCREPANCY.record(r)


# ---------------------------------------------------------------- the story index's encoding

def encode_story_index(index: StoryIndex) -> bytes:
    """The whole index, as a full run stores it (a NumPy .npz archive: texts as UTF-8 lines, the
    sparse count matrices by their parts, the embeddings as float32)."""
    def text(items) -> np.ndarray:
        return np.frombuffer("\n".join(items).encode("utf-8"), dtype=np.uint8)

    buf = io.BytesIO()
    np.savez(buf, source_ids=text(index.source_ids), stories=text(index.stories), pins=text(index.pins),
             words=text(sorted(index.vocab, key=index.vocab.__getitem__)), data=index.counts.data,
             indices=index.counts.indices, indptr=index.counts.indptr,
             name_words=text(sorted(index.name_vocab, key=index.name_vocab.__getitem__)),
             name_data=index.names.data, name_indices=index.names.indices, name_indptr=index.names.indptr,
             embeds=index.embeds.astype(np.float32))
    return buf.getvalue()


def story_record(index: StoryIndex, source_id: str) -> tuple[str, bytes]:
    """An article appended since the index was stored: (its word and name counts and its pin as
    JSON, its embedding)."""
    words, names = index.words[source_id]
    pin = index.pins[index.source_ids.index(source_id)]
    return (json.dumps({"words": words, "names": names, **({"pin": pin} if pin else {})}),
            index.embeds[index.source_ids.index(source_id)].tobytes())


def decode_story_index(payload: bytes, added: Sequence[tuple[str, str, bytes]] = (),
                       stories: dict[str, str] | None = None) -> StoryIndex:
    """The index stored by a full run, the articles ``added`` since ((source_id, word counts,
    embedding), in order) and the stories that changed (source_id -> story). An index stored
    before names were kept has none: its articles join stories on their words alone (and one
    stored before pins were kept has no pins)."""
    from scipy import sparse  # only ``add`` and the dashboard's additions read the index: keep opening a store light

    z = np.load(io.BytesIO(payload), allow_pickle=False)

    def lines(key: str) -> list[str]:
        text = z[key].tobytes().decode("utf-8") if key in z.files else ""
        return text.split("\n") if text else []

    words, ids, name_words = lines("words"), lines("source_ids"), lines("name_words")
    counts = sparse.csr_matrix((z["data"], z["indices"], z["indptr"]), shape=(len(ids), len(words)))
    names = (sparse.csr_matrix((z["name_data"], z["name_indices"], z["name_indptr"]),
                               shape=(len(ids), len(name_words)))
             if "name_indptr" in z.files else None)
    index = StoryIndex(ids, counts, dict(zip(words, range(len(words)))), z["embeds"].reshape(len(ids), -1),
                       lines("stories"), names=names, name_vocab=dict(zip(name_words, range(len(name_words)))),
                       pins=lines("pins") or None)  # none stored, or one article with none: no pins
    for sid, terms, vector in added:
        record = json.loads(terms)
        pin = ""
        if isinstance(record.get("words"), dict):
            word_counts, name_counts_ = Counter(record["words"]), Counter(record.get("names", {}))
            pin = record.get("pin", "")
        else:  # a record written before names were kept: its word counts alone
            word_counts, name_counts_ = Counter(record), Counter()
        index.append(sid, word_counts, np.frombuffer(vector, dtype=np.float32), names=name_counts_, pin=pin)
    if stories:
        index.stories = [stories.get(sid, st) for sid, st in zip(index.source_ids, index.stories)]
    return index
