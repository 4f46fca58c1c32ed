"""Reviews: versioned, so two reviewers saving one item cannot silently overwrite each other, and
audited, field by field. A review that loses a race (a second first verdict, a version saved
meanwhile) or meets a store kept busy past the timeout raises ``ConflictError``: reload and apply
the change again."""
from __future__ import annotations

import random
import time
from contextlib import AbstractContextManager
from typing import Callable

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, IntegrityError

from ..errors import ConflictError, StoreError
from .locking import RETRY_PAUSE_S, REVIEW_TRIES, is_busy
from .schema import audit, reviews
from .writes import now

STATUSES = ("open", "confirmed", "dismissed", "needs follow-up")


class _LostRace(Exception):
    """A review saved without ``expected_version`` met a concurrent save: read again and retry."""


class Reviews:
    """Reading and saving reviews and their audit trail (a mixin of ``Store``)."""
    engine: Engine
    busy_timeout_s: float
    _transaction: Callable[[], AbstractContextManager[Connection]]

    def review(self, discrepancy_id: str) -> dict:
        with self.engine.connect() as conn:
            row = conn.execute(select(reviews).where(reviews.c.discrepancy_id == discrepancy_id)).mappings().first()
        return dict(row) if row else {"discrepancy_id": discrepancy_id, "status": "open", "note": "",
                                      "reviewer": "", "updated_at": "", "version": 0, "answer": "", "evidence": ""}

    def set_review(self, discrepancy_id: str, *, status: str | None = None, note: str | None = None,
                   reviewer: str = "", expected_version: int | None = None, answer: str | None = None,
                   evidence: str | None = None) -> dict:
        """Save a verdict (status, note, the answer marked right and where it was checked); raise
        ConflictError if someone saved it since ``expected_version`` (or gave the first verdict at
        the same moment), or if the store stayed busy: either way the reviewer reloads the item and
        applies the change again, and nothing of this save was kept. Without ``expected_version`` the
        latest save wins, and a save that met a concurrent one is simply made again."""
        if status is not None and status not in STATUSES:
            raise StoreError(f"unknown status {status!r} — use one of: {', '.join(STATUSES)}")
        change = {"status": status, "note": note, "answer": answer, "evidence": evidence}
        began = time.monotonic()
        for attempt in range(REVIEW_TRIES):
            try:
                return self._save_review(discrepancy_id, change, reviewer, expected_version)
            except _LostRace as exc:
                why, cause = "someone saved a verdict on this item at the same moment", exc
            except DBAPIError as exc:
                if not is_busy(exc):
                    raise
                why, cause = (f"the store was busy with another save or a run for over {self.busy_timeout_s:g} s, "
                              "so this was not saved"), exc
                if time.monotonic() - began >= self.busy_timeout_s:
                    break
            if attempt + 1 < REVIEW_TRIES:
                time.sleep(RETRY_PAUSE_S * 2 ** attempt * random.uniform(0.5, 1.5))
        raise ConflictError(f"{discrepancy_id}: {why} — reload it and apply your change again") from cause

    def _save_review(self, discrepancy_id: str, change: dict, reviewer: str, expected_version: int | None) -> dict:
        """One attempt of ``set_review``, in one transaction with its audit rows."""
        with self._transaction() as conn:
            cur = conn.execute(select(reviews).where(reviews.c.discrepancy_id == discrepancy_id)).mappings().first()
            old = dict(cur) if cur else {"status": "open", "note": "", "version": 0, "answer": "", "evidence": ""}
            if expected_version is not None and old["version"] != expected_version:
                raise ConflictError(
                    f"{discrepancy_id}: {old.get('reviewer') or 'someone'} saved this item at "
                    f"{old.get('updated_at')} — reload it and apply your change again")
            values = {fld: (old.get(fld) or "") if v is None else v for fld, v in change.items()}
            values.update(reviewer=reviewer, updated_at=now(), version=old["version"] + 1)
            if cur:
                res = conn.execute(update(reviews).where(reviews.c.discrepancy_id == discrepancy_id,
                                                         reviews.c.version == old["version"]).values(**values))
                if res.rowcount != 1:
                    self._lost_race(discrepancy_id, expected_version, None)
            else:
                try:
                    with conn.begin_nested():  # two reviewers giving the first verdict at once
                        conn.execute(insert(reviews).values(discrepancy_id=discrepancy_id, **values))
                except IntegrityError as exc:
                    self._lost_race(discrepancy_id, expected_version, exc)
            for fld in change:
                if (values[fld] or "") != (old.get(fld) or ""):
                    conn.execute(insert(audit).values(discrepancy_id=discrepancy_id, reviewer=reviewer,
                                                      at=values["updated_at"], field=fld,
                                                      old=old.get(fld), new=values[fld]))
        return {"discrepancy_id": discrepancy_id, **values}

    @staticmethod
    def _lost_race(discrepancy_id: str, expected_version: int | None, cause: Exception | None) -> None:
        """Another save of this item committed between our read and our write."""
        if expected_version is None:
            raise _LostRace(discrepancy_id) from cause
        raise ConflictError(f"{discrepancy_id}: someone saved a verdict on this item just now — "
                            "reload it and apply your change again") from cause

    def audit_rows(self, discrepancy_id: str | None = None) -> list[dict]:
        q = select(audit).order_by(audit.c.id)
        if discrepancy_id:
            q = q.where(audit.c.discrepancy_id == discrepancy_id)
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(q).mappings()]
