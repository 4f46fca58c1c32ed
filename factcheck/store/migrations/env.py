"""Alembic's entry point for the store's migrations: run by ``factcheck.store.migrate`` on the
connection it passes (``config.attributes["connection"]``), inside that connection's transaction,
so a migration is committed with the stamp or not at all. There is no offline (SQL script) mode."""
from alembic import context

from factcheck.store.schema import meta

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("the store's migrations run from factcheck.store.migrate, on a connection it passes")
context.configure(connection=connection, target_metadata=meta, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
