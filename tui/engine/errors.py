"""What the engine raises when something goes wrong: a plain sentence and what to do about it.

These are plain exceptions with no dependency on pywinrm or requests, so any layer (the CLI, the
screens) can catch and show them. `str(exc)` is the message; a traceback is never the answer.
"""

from __future__ import annotations


class EngineError(Exception):
    """A failure worth telling the user about: `message` says what, `remedy` says what to do."""

    def __init__(self, message: str, remedy: str = "", detail: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.remedy = remedy
        # Technical detail for the log (exception type, HTTP status); never holds a secret.
        self.detail = detail

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, remedy={self.remedy!r})"


class ConnectionProblem(EngineError):
    """The target could not be reached, refused the logon, or the connection broke for good."""


class CommandTimeout(EngineError):
    """A command did not finish before its deadline; it has been stopped on the target."""


class RemoteFault(EngineError):
    """The target's WinRM service answered with an error (a WS-Man fault)."""


class LogonRefused(ConnectionProblem):
    """The target refused the account's logon. Never retried: each attempt with a wrong password
    counts towards the account's lockout threshold."""


class ReplyLost(ConnectionProblem):
    """A request reached the target but its reply did not come back (a read timeout, a connection
    reset mid-answer). What the target did is unknown, and WinRS does not send a reply twice."""


class OutputLost(ReplyLost):
    """Output of a running command was lost on the way: a Receive reply that carried it never
    arrived, and WinRS hands each piece of output out once only (MS-WSMV 3.1.4.14)."""
