"""Typed errors raised by the library; the CLI and the app turn them into one-line messages."""
from __future__ import annotations


class FactcheckError(Exception):
    """Base class: ``str(err)`` is a one-line message that says what to do."""


class SourceError(FactcheckError):
    """One source could not be read or has no article; the others can still be processed."""

    def __init__(self, name: str, problem: str, hint: str = ""):
        self.name, self.problem, self.hint = name, problem, hint
        msg = f"{name}: {problem}"
        super().__init__(f"{msg} — {hint}" if hint else msg)

    def __reduce__(self):  # picklable across process pools
        return (self.__class__, (self.name, self.problem, self.hint))


class ManifestError(SourceError):
    """A row of the sources manifest (or the whole file) is malformed: names the row and the column.
    Collected like a source's error: that row is skipped, the others apply."""

    def __init__(self, path: str, row: int | None, column: str | None, problem: str, hint: str = ""):
        where = path + (f", row {row}" if row is not None else "") + (f", column '{column}'" if column else "")
        self.row, self.column = row, column
        self._args = (path, row, column, problem, hint)
        super().__init__(where, problem, hint)

    def __reduce__(self):
        return (self.__class__, self._args)


class NoSourcesError(FactcheckError):
    """Nothing to process; ``errors`` holds what went wrong with each file that was tried."""

    def __init__(self, message: str, errors: tuple = ()):
        super().__init__(message)
        self.errors = tuple(errors)


class NoRunError(FactcheckError):
    """An operation needs a run in the store and there is none."""


class ModelError(FactcheckError):
    """A model that ships in a package could not be loaded."""


class StoreError(FactcheckError):
    """The store could not be opened or written."""


class ConflictError(StoreError):
    """Someone else saved the same review since it was loaded."""


class AccessError(FactcheckError):
    """The dashboard's login set-up (secrets.toml) is unreadable or would let the wrong people in."""
