"""The store's three caches, so a re-run reads, cleans, parses and embeds only what is new:
sentence vectors by text and model, prepared articles by file key, claims by article key."""
from __future__ import annotations

import json
from contextlib import AbstractContextManager
from typing import Callable, Iterable, Sequence

import numpy as np
from sqlalchemy import delete, insert, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, Engine

from ..models import Claim, claim_from_dict, claim_to_dict
from .schema import article_cache, claim_cache, embeddings


class Caches:
    """The caches' reads and writes (a mixin of ``Store``)."""
    engine: Engine
    _writing: Callable[[str], AbstractContextManager[Connection]]

    # ---------------------------------------------------------------- embeddings cache

    def cached_embeddings(self, model: str, keys: Iterable[str]) -> dict[str, np.ndarray]:
        keys = list(set(keys))
        out: dict[str, np.ndarray] = {}
        with self.engine.connect() as conn:
            for start in range(0, len(keys), 500):
                part = keys[start:start + 500]
                q = select(embeddings.c.text_key, embeddings.c.vector).where(
                    embeddings.c.model == model, embeddings.c.text_key.in_(part))
                out.update({k: np.frombuffer(v, dtype=np.float32) for k, v in conn.execute(q)})
        return out

    def save_embeddings(self, model: str, vectors: dict[str, np.ndarray]) -> None:
        if not vectors:
            return
        rows = [{"model": model, "text_key": k, "vector": np.asarray(v, dtype=np.float32).tobytes()}
                for k, v in vectors.items()]
        with self._writing("the sentence vectors") as conn:
            upsert = {"sqlite": sqlite_insert, "postgresql": postgresql_insert}.get(conn.dialect.name)
            if upsert is not None:  # a text another run embedded meanwhile keeps its row
                conn.execute(upsert(embeddings).on_conflict_do_nothing(), rows)
                return
            keys = [r["text_key"] for r in rows]
            have: set[str] = set()
            for start in range(0, len(keys), 500):
                have.update(conn.execute(select(embeddings.c.text_key).where(
                    embeddings.c.model == model, embeddings.c.text_key.in_(keys[start:start + 500]))).scalars())
            rows = [r for r in rows if r["text_key"] not in have]
            if rows:
                conn.execute(insert(embeddings), rows)

    # ---------------------------------------------------------------- prepared-article cache

    def cached_articles(self, keys: Sequence[str] | None = None) -> dict[str, str]:
        """file key -> the stored source and cleaned body, as JSON (see pipeline.PreparedArticles):
        of these keys, or of every file."""
        q = select(article_cache.c.file_key, article_cache.c.article)
        if keys is not None:
            q = q.where(article_cache.c.file_key.in_(list(keys)))
        with self.engine.connect() as conn:
            return dict(conn.execute(q).all())

    def save_articles(self, items: dict[str, dict]) -> None:
        if not items:
            return
        with self._writing("the prepared articles") as conn:
            conn.execute(delete(article_cache).where(article_cache.c.file_key.in_(list(items))))
            conn.execute(insert(article_cache), [{"file_key": k, "article": json.dumps(v, ensure_ascii=False)}
                                                 for k, v in items.items()])

    # ---------------------------------------------------------------- claims cache

    def cached_claims(self, keys: Iterable[str]) -> dict[str, list[Claim]]:
        """Per-article claims stored by earlier runs, by article key."""
        keys = list(set(keys))
        out: dict[str, list[Claim]] = {}
        with self.engine.connect() as conn:
            for start in range(0, len(keys), 500):
                q = select(claim_cache).where(claim_cache.c.article_key.in_(keys[start:start + 500]))
                for key, payload in conn.execute(q):
                    out[key] = [claim_from_dict(d) for d in json.loads(payload)]
        return out

    def save_claim_cache(self, items: dict[str, list[Claim]]) -> None:
        if not items:
            return
        rows = [{"article_key": k, "claims": json.dumps([claim_to_dict(c) for c in v], ensure_ascii=False)}
                for k, v in items.items()]
        with self._writing("the claims cache") as conn:
            conn.execute(delete(claim_cache).where(claim_cache.c.article_key.in_(list(items))))
            conn.execute(insert(claim_cache), rows)
