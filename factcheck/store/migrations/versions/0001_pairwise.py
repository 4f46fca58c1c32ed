"""The baseline: the tables of the pairwise version (one discrepancy per pair of claims), as
``tests/data/store_before_facts.db`` has them.

Stores written before it lacked some of these tables (the claims cache, the article cache, the
story index) but had the others as they are here: on such a store this revision creates only the
tables it lacks.
"""
import sqlalchemy as sa
from alembic import op

revision = "0001_pairwise"
down_revision = None
branch_labels = None
depends_on = None

TABLES = ("runs", "sources", "claims", "clusters", "alignments", "discrepancies", "reviews", "audit",
          "claim_cache", "article_cache", "story_index", "story_added", "story_labels", "embeddings")
# an unversioned store with all these tables is at this revision (factcheck.store.migrate.recognise)
recognised_by = {name: () for name in TABLES}


def _tables() -> dict[str, tuple]:
    """Each table's columns, and the indexed columns, as the pairwise version created them."""
    def id32(name: str, **kw) -> sa.Column:
        return sa.Column(name, sa.String(32), **kw)

    return {
        "runs": ((sa.Column("run_id", sa.Integer, primary_key=True, autoincrement=True),
                  sa.Column("started_at", sa.String(40)), sa.Column("finished_at", sa.String(40)),
                  sa.Column("sources_dir", sa.Text), sa.Column("n_sources", sa.Integer),
                  sa.Column("n_claims", sa.Integer), sa.Column("n_discrepancies", sa.Integer)), ()),
        "sources": ((id32("source_id", primary_key=True), sa.Column("name", sa.Text), sa.Column("outlet", sa.Text),
                     sa.Column("title", sa.Text), sa.Column("url", sa.Text), sa.Column("published", sa.String(10)),
                     sa.Column("language", sa.String(8)), sa.Column("kind", sa.String(8)), sa.Column("raw", sa.Text),
                     sa.Column("also_outlets", sa.Text), sa.Column("active", sa.Boolean)), ()),
        "claims": ((id32("claim_id", primary_key=True), id32("source_id"), sa.Column("sentence_index", sa.Integer),
                    sa.Column("text", sa.Text), sa.Column("char_start", sa.Integer), sa.Column("char_end", sa.Integer),
                    sa.Column("content", sa.Text), sa.Column("speaker", sa.Text), sa.Column("party", sa.Text),
                    sa.Column("cue", sa.Text), sa.Column("stance", sa.String(20)), sa.Column("frame", sa.String(20)),
                    sa.Column("entities", sa.Text), sa.Column("quantities", sa.Text), sa.Column("dates", sa.Text),
                    sa.Column("check_worthiness", sa.Float), sa.Column("active", sa.Boolean)), ("source_id",)),
        "clusters": ((id32("cluster_id", primary_key=True), id32("claim_id", primary_key=True), id32("story_id")), ()),
        "alignments": ((id32("claim_a", primary_key=True), id32("claim_b", primary_key=True),
                        sa.Column("score", sa.Float), sa.Column("cosine", sa.Float)), ()),
        "discrepancies": ((id32("discrepancy_id", primary_key=True), sa.Column("kind", sa.String(32)),
                           sa.Column("severity", sa.Float), sa.Column("confidence", sa.Float),
                           sa.Column("explanation", sa.Text), id32("claim_a"), id32("claim_b"),
                           sa.Column("detail", sa.Text), sa.Column("rank", sa.Integer), sa.Column("active", sa.Boolean),
                           sa.Column("first_seen", sa.Integer), sa.Column("last_seen", sa.Integer)), ("kind",)),
        "reviews": ((id32("discrepancy_id", primary_key=True), sa.Column("status", sa.String(20)),
                     sa.Column("note", sa.Text), sa.Column("reviewer", sa.Text), sa.Column("updated_at", sa.String(40)),
                     sa.Column("version", sa.Integer, nullable=False)), ()),
        "audit": ((sa.Column("id", sa.Integer, primary_key=True, autoincrement=True), id32("discrepancy_id"),
                   sa.Column("reviewer", sa.Text), sa.Column("at", sa.String(40)), sa.Column("field", sa.String(20)),
                   sa.Column("old", sa.Text), sa.Column("new", sa.Text)), ("discrepancy_id",)),
        "claim_cache": ((sa.Column("article_key", sa.String(40), primary_key=True), sa.Column("claims", sa.Text)), ()),
        "article_cache": ((sa.Column("file_key", sa.String(40), primary_key=True), sa.Column("article", sa.Text)), ()),
        "story_index": ((sa.Column("name", sa.String(16), primary_key=True), sa.Column("payload", sa.LargeBinary)), ()),
        "story_added": ((sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True), id32("source_id"),
                         sa.Column("terms", sa.Text), sa.Column("vector", sa.LargeBinary)), ()),
        "story_labels": ((id32("source_id", primary_key=True), id32("story_id")), ()),
        "embeddings": ((sa.Column("model", sa.String(64), primary_key=True),
                        sa.Column("text_key", sa.String(40), primary_key=True),
                        sa.Column("vector", sa.LargeBinary)), ()),
    }


def upgrade() -> None:
    have = set(sa.inspect(op.get_bind()).get_table_names())
    for name, (columns, indexed) in _tables().items():
        if name in have:
            continue
        op.create_table(name, *columns)
        for column in indexed:
            op.create_index(f"ix_{name}_{column}", name, [column])


def downgrade() -> None:
    for name in reversed(TABLES):
        op.drop_table(name)
