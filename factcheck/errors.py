"""Typed errors raised by the library; the CLI and the app turn them into one-line messages."""
from __future__ import annotations


# What a user does about an error, in neutral words the library's message ends with; each front
# end says it in its own terms (``in_terms``): the command line names a command, the dashboard a
# button. A library message never names a flag or a button itself.
RERUN = "analyse the whole folder again"
STORE_URL = "check the store's URL and that its folder is writable"
ACTIONS = (RERUN, STORE_URL)


class FactcheckError(Exception):
    """Base class: ``str(err)`` is a one-line message that says what to do."""

    action: str = ""  # the neutral words of ``ACTIONS`` the message holds, if any

    def with_action(self, action: str) -> "FactcheckError":
        self.action = action
        return self


def in_terms(err: BaseException, terms: dict[str, str]) -> str:
    """``err``'s message with its action said in a front end's ``terms`` (neutral words -> its own)."""
    text = str(err)
    action = getattr(err, "action", "")
    return text.replace(action, terms[action]) if action and action in terms else text


class SourceError(FactcheckError):
    """One source could not be read or has no article; the others can still be processed."""

    def __init__(self, name: str, problem: str, hint: str = ""):
        self.name, self.problem, self.hint = name, problem, hint
        msg = f"{name}: {problem}"
        super().__init__(f"{msg} — {hint}" if hint else msg)

    def __reduce__(self):  # picklable across process pools (with its action)
        return (self.__class__, (self.name, self.problem, self.hint), self.__dict__)


class ManifestError(SourceError):
    """A row of the sources manifest (or the whole file) is malformed: names the row and the column.
    Collected like a source's error: that row is skipped, the others apply."""

    def __init__(self, path: str, row: int | None, column: str | None, problem: str, hint: str = ""):
        where = path + (f", row {row}" if row is not None else "") + (f", column '{column}'" if column else "")
        self.row, self.column = row, column
        self._args = (path, row, column, problem, hint)
        super().__init__(where, problem, hint)

    def __reduce__(self):
        return (self.__class__, self._args, self.__dict__)


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


class EngineError(FactcheckError):
    """The cluster that runs the work (``factcheck.engine``) could not be reached, or lost the work:
    the scheduler is gone, no worker joined, or a worker died too often on one task. Nothing of the
    run was stored."""
