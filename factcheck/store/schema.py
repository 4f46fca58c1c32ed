"""The store's tables, as this version of factcheck writes them (SQLAlchemy Core, one ``meta``).

A change here is a change of schema: it needs a revision in ``migrations/versions`` that brings a
store written by the previous version to this one (``tests/test_store_migrations.py`` fails until
the revisions and these tables agree).
"""
from __future__ import annotations

from sqlalchemy import Boolean, Column, Float, Integer, LargeBinary, MetaData, String, Table, Text

meta = MetaData()
runs = Table(
    "runs", meta,
    Column("run_id", Integer, primary_key=True, autoincrement=True),
    Column("started_at", String(40)), Column("finished_at", String(40)),
    Column("sources_dir", Text), Column("n_sources", Integer), Column("n_claims", Integer),
    Column("n_discrepancies", Integer),
)
sources = Table(
    "sources", meta,
    Column("source_id", String(32), primary_key=True), Column("name", Text), Column("outlet", Text),
    Column("title", Text), Column("url", Text), Column("published", String(10)),
    Column("language", String(8)), Column("kind", String(8)), Column("raw", Text),
    Column("also_outlets", Text), Column("active", Boolean, default=True),
    Column("story", Text),  # the story the user put the article in (Source.story); revision 0003
)
claims = Table(
    "claims", meta,
    Column("claim_id", String(32), primary_key=True), Column("source_id", String(32), index=True),
    Column("sentence_index", Integer), Column("text", Text), Column("char_start", Integer),
    Column("char_end", Integer), Column("content", Text), Column("speaker", Text), Column("party", Text),
    Column("cue", Text), Column("stance", String(20)), Column("frame", String(20)),
    Column("entities", Text), Column("quantities", Text), Column("dates", Text),
    Column("check_worthiness", Float), Column("active", Boolean, default=True),
)
clusters = Table(
    "clusters", meta,
    Column("cluster_id", String(32), primary_key=True), Column("claim_id", String(32), primary_key=True),
    Column("story_id", String(32)),
)
alignments = Table(
    "alignments", meta,
    Column("claim_a", String(32), primary_key=True), Column("claim_b", String(32), primary_key=True),
    Column("score", Float), Column("cosine", Float),
)
discrepancies = Table(
    "discrepancies", meta,
    Column("discrepancy_id", String(32), primary_key=True), Column("kind", String(32), index=True),
    Column("severity", Float), Column("confidence", Float), Column("explanation", Text),
    Column("claim_a", String(32)), Column("claim_b", String(32)), Column("detail", Text),
    Column("rank", Integer), Column("active", Boolean, default=True),
    Column("first_seen", Integer), Column("last_seen", Integer),
)
reviews = Table(
    "reviews", meta,
    Column("discrepancy_id", String(32), primary_key=True), Column("status", String(20)),
    Column("note", Text), Column("reviewer", Text), Column("updated_at", String(40)),
    Column("version", Integer, nullable=False, default=0),
    Column("answer", Text),  # the value of the side the reviewer marked right ("" = none)
    Column("evidence", Text),  # where the reviewer checked it (a URL or a reference)
)
facts = Table(
    "facts", meta,
    Column("fact_id", String(32), primary_key=True), Column("story_id", String(32), index=True),
    Column("kind", String(20)), Column("question", Text), Column("answers", Text), Column("disputed", Boolean),
)
audit = Table(
    "audit", meta,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("discrepancy_id", String(32), index=True), Column("reviewer", Text),
    Column("at", String(40)), Column("field", String(20)), Column("old", Text), Column("new", Text),
)
claim_cache = Table(
    "claim_cache", meta,
    Column("article_key", String(40), primary_key=True), Column("claims", Text),
)
article_cache = Table(
    "article_cache", meta,
    Column("file_key", String(40), primary_key=True), Column("article", Text),
)
# the latest grouping of articles into stories (stories.StoryIndex): as the last full run stored it,
# the articles added since, and the stories that changed since
story_index = Table(
    "story_index", meta,
    Column("name", String(16), primary_key=True), Column("payload", LargeBinary),
)
story_added = Table(
    "story_added", meta,
    Column("seq", Integer, primary_key=True, autoincrement=True), Column("source_id", String(32)),
    Column("terms", Text), Column("vector", LargeBinary),
)
story_labels = Table(
    "story_labels", meta,
    Column("source_id", String(32), primary_key=True), Column("story_id", String(32)),
)
embeddings = Table(
    "embeddings", meta,
    Column("model", String(64), primary_key=True), Column("text_key", String(40), primary_key=True),
    Column("vector", LargeBinary),
)
