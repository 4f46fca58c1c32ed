"""The story the user put an article in (``Source.story``, the manifest's ``story`` column) is
kept with its source; before, it came back from the store as "" (stories already stored keep "")."""
import sqlalchemy as sa
from alembic import op

revision = "0003_source_story"
down_revision = "0002_facts"
branch_labels = None
depends_on = None

recognised_by = {"sources": ("story",)}


def upgrade() -> None:
    with op.batch_alter_table("sources") as batch:
        batch.add_column(sa.Column("story", sa.Text))


def downgrade() -> None:
    with op.batch_alter_table("sources") as batch:
        batch.drop_column("story")
