"""The store's Alembic migrations: ``env.py`` and ``versions/`` (see ``factcheck.store.migrate``)."""
