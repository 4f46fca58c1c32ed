"""Facts, not pairs: the ``facts`` table, and reviews that carry the answer marked right and where
it was checked (``reviews.answer``, ``reviews.evidence``). A store written by the facts version
before the schema was versioned (``tests/data/store_before_alembic.db``) is at this revision."""
import sqlalchemy as sa
from alembic import op

revision = "0002_facts"
down_revision = "0001_pairwise"
branch_labels = None
depends_on = None

recognised_by = {"facts": (), "reviews": ("answer", "evidence")}


def upgrade() -> None:
    op.create_table(
        "facts",
        sa.Column("fact_id", sa.String(32), primary_key=True), sa.Column("story_id", sa.String(32)),
        sa.Column("kind", sa.String(20)), sa.Column("question", sa.Text), sa.Column("answers", sa.Text),
        sa.Column("disputed", sa.Boolean),
    )
    op.create_index("ix_facts_story_id", "facts", ["story_id"])
    with op.batch_alter_table("reviews") as batch:
        batch.add_column(sa.Column("answer", sa.Text))
        batch.add_column(sa.Column("evidence", sa.Text))


def downgrade() -> None:
    with op.batch_alter_table("reviews") as batch:
        batch.drop_column("evidence")
        batch.drop_column("answer")
    op.drop_index("ix_facts_story_id", "facts")
    op.drop_table("facts")
