"""`RemoteShell`: one WinRS shell on the target, reused for every command, with streamed output.

Built on pywinrm's `Protocol` (one method per WinRS action), not `winrm.Session`, which opens a
shell per command and hands output over only once the command is done. What this adds:
  * a receive loop that passes each chunk on as it arrives, with an overall deadline kept to
    within one second (each Receive's server-side wait is cut to the time left);
  * recovery that knows what WinRS resends and what it does not. A request the listener rejected
    unread (a sealed body resent on a new connection after an idle one was closed) is sent again
    under a fresh logon. A reply lost after the server acted on the request (read timeout,
    connection reset mid-answer) is never papered over: WinRS hands each piece of output out
    once, so a lost Receive reply means lost output. Commands that only read (`if_lost="rerun"`)
    are run again; `"stop"` stops the command and raises OutputLost at once (the caller re-reads
    from what it knows, as the install log follower does by byte offset); `"report"` lets the
    command finish and then raises OutputLost. Nothing is ever silently missing.
  * stdin for large or secret input (`run_script`: secrets never go on a command line);
  * every shell opened is closed, also after failures; a shell whose Create reply was lost (so
    its id is unknown) ends on the target after `SHELL_IDLE_TIMEOUT` seconds without requests;
  * counts as they are: HTTP requests (authentication legs included), logons, shells.

MS-WSMV's Robust Connection Support (3.1.4.1.39: a wsmv:OperationID on each request, responses
cached for a retransmission) would make a lost reply fetchable again, but the specification
scopes it to Custom Remote Shells and CIM resources, not the Text-based Command Shell pywinrm
drives; Windows Server 2008 R2 and earlier send no OperationID at all (its footnote <99>); and its
replies are chunked streams of several envelopes with Acknowledge messages, which pywinrm's
one-envelope-per-reply parser does not read. pywinrm's `build_wsman_header` could carry the
header, but nothing would honour it here.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import Literal

from winrm.exceptions import WinRMOperationTimeoutError

from tui.engine import scripts
from tui.engine.errors import CommandTimeout, OutputLost, RemoteFault, ReplyLost
from tui.engine.shell_output import (
    OEM_FALLBACK,
    OEM_QUERY,
    CommandResult,
    OutputCallback,
    Stream,
    oem_codepage,
)
from tui.engine.shell_problems import (
    NOT_SENT,
    REPLY_LOST,
    command_lost,
    input_lost,
    kind,
    lost_how,
    output_lost,
    problem,
    shell_gone,
)
from tui.engine.shell_session import ShellSession

log = logging.getLogger(__name__)

IfLost = Literal["rerun", "stop", "report"]

STDIN_CHUNK = 64 * 1024  # stays well under MaxEnvelopeSize once base64-encoded
RERUNS = 2  # a read-only command is run again at most this often after lost output


class _Lost(Exception):
    """Internal: a reply was lost and the command dealt with; `error` is what the user reads."""

    def __init__(self, error: ReplyLost) -> None:
        super().__init__(error.message)
        self.error = error


class RemoteShell(ShellSession):
    """A shell and the commands run in it (see the module's description)."""

    # --- commands -------------------------------------------------------------------------------

    def run(
        self,
        command: str,
        arguments: Sequence[str] = (),
        stdin: bytes | None = None,
        on_stdout: OutputCallback | None = None,
        on_stderr: OutputCallback | None = None,
        deadline: float | None = None,
        *,
        label: str | None = None,
        if_lost: IfLost = "report",
    ) -> CommandResult:
        """Run one command in the shell; `deadline` is a time.monotonic() value.

        Output is decoded line by line (see shell_output.Stream): UTF-8, the shell's code page
        (65001), or the target's OEM code page, which native tools write (read once per shell
        session when first needed) and handed to the callbacks as it arrives; after a re-run
        (`if_lost="rerun"`) they get the new run's output from its start.
        """
        label = label or command
        started = time.monotonic()
        runs = 0
        while True:
            try:
                return self._run_once(command, list(arguments), stdin, on_stdout, on_stderr,
                                      deadline, started, label, if_lost)
            except _Lost as lost:
                if if_lost != "rerun" or runs >= RERUNS:
                    raise lost.error from None
                runs += 1
                self.reruns += 1
                log.info("%s: %s; running it again (it only reads)", label, lost.error.message)

    def run_script(
        self,
        name: str,
        params: dict,
        on_stdout: OutputCallback | None = None,
        deadline: float | None = None,
        on_stderr: OutputCallback | None = None,
        *,
        if_lost: IfLost = "report",
    ) -> CommandResult:
        """Run mimsetup script `name`: fixed bootstrap on the command line, script and params
        (secrets included) on stdin. `if_lost="rerun"` only for scripts that change nothing."""
        return self.run(
            scripts.POWERSHELL,
            scripts.bootstrap_args(),
            stdin=scripts.stdin_payload(name, params),
            on_stdout=on_stdout,
            on_stderr=on_stderr,
            deadline=deadline,
            label=f"The script '{name}'",
            if_lost=if_lost,
        )

    def _run_once(self, command, arguments, stdin, on_stdout, on_stderr, deadline, started,
                  label, if_lost) -> CommandResult:
        self._check_deadline(deadline, started, label)
        command_id = self._start(command, arguments, stdin is None, label, if_lost)
        try:
            if stdin is not None:
                self._send_stdin(command_id, stdin, label, if_lost)
            code, streams = self._receive(command_id, on_stdout, on_stderr, deadline, started,
                                          label, if_lost)
        finally:
            self._cleanup(command_id)
        if any(stream.holding for stream in streams):
            oem = self._learn_oem()
            for stream in streams:
                stream.resolve(oem)
        return CommandResult(code, streams[0].text(), streams[1].text())

    def _learn_oem(self) -> str:
        """The target's OEM code page, read once (after the command that first needed it)."""
        if self.oem_codepage is None:
            # Set before asking, so the query's own output (ASCII) is read with it; it stays
            # when the query fails: en-US's code page is the likeliest, and right for ASCII.
            self.oem_codepage = OEM_FALLBACK
            try:
                result = self.run(*OEM_QUERY, label="Reading the OEM code page", if_lost="rerun")
            except (RemoteFault, CommandTimeout, ReplyLost) as exc:
                log.warning("the OEM code page of %s is unknown (%s); reading native output as "
                            "%s", self.endpoint.where, exc.message, OEM_FALLBACK)
            else:
                found = oem_codepage(result.stdout) if result.ok else None
                if found is None:
                    log.warning("%s did not report its OEM code page; reading native output "
                                "as %s", self.endpoint.where, OEM_FALLBACK)
                self.oem_codepage = found or OEM_FALLBACK
        return self.oem_codepage

    def _start(self, command: str, arguments: list[str], console_stdin: bool, label: str,
               if_lost: IfLost) -> str:
        if self._shell_id is None:
            self.open()
        self._renew_if_idle()
        protocol = self._protocol
        assert protocol is not None
        for attempt in (1, 2):
            protocol.quick()
            try:
                # Console-mode stdin only when nothing is piped: Ansible's WinRM connection,
                # proven on every Windows version, sends console_mode_stdin=False whenever it
                # feeds stdin (ansible-core plugins/connection/winrm.py, `_winrm_exec`:
                # console_mode_stdin=(stdin_iterator is None)).
                return self._call(protocol.run_command, self._shell_id, command, arguments,
                                  console_mode_stdin=console_stdin)
            except Exception as exc:
                k = kind(exc)
                if attempt == 1 and k == "gone":
                    # The shell timed out or was closed on the target: a new one is safe to use,
                    # since the command never started.
                    log.info("shell on %s is gone; opening a new one", self.endpoint.where)
                    self._shell_id = None
                    self.open()
                    continue
                if k in REPLY_LOST:
                    self._reset_session()
                    raise _Lost(self._command_lost(label, k, if_lost)) from None
                if k not in ("fault", "max-shells"):
                    self._reset_session()
                raise problem(exc, self.endpoint, protocol.last_wait) from None
        raise AssertionError("unreachable")

    def _command_lost(self, label: str, k: str, if_lost: IfLost) -> ReplyLost:
        how = lost_how(k, self._wait())
        if if_lost != "report":
            # The command may be running in this shell: deleting the shell ends it (WinRS ends
            # a shell's processes with the shell), so a run again is the only run.
            self._delete_shell()
        return command_lost(self.endpoint.where, label, how, ended=if_lost != "report")

    def _send_stdin(self, command_id: str, data: bytes, label: str, if_lost: IfLost) -> None:
        protocol = self._protocol
        assert protocol is not None
        chunks = [data[i : i + STDIN_CHUNK] for i in range(0, len(data), STDIN_CHUNK)] or [b""]
        for i, chunk in enumerate(chunks):
            last = i == len(chunks) - 1
            protocol.quick()
            try:
                self._call(protocol.send_command_input, self._shell_id, command_id, chunk,
                           end=last)
            except Exception as exc:
                k = kind(exc)
                self._reset_session()
                if k not in REPLY_LOST:
                    raise problem(exc, self.endpoint, protocol.last_wait) from None
                how = lost_how(k, self._wait())
                if not last:
                    # The bootstrap reads its input to the end before it runs anything, so
                    # stopping it now (cleanup) leaves nothing done: running it again is safe.
                    raise _Lost(input_lost(self.endpoint.where, label, how)) from None
                # The last piece may have arrived: the command may be running, as after a lost
                # output reply.
                self._last_used = time.monotonic()
                if if_lost != "report":
                    raise _Lost(self._output_lost(label, k, None)) from None
                return

    def _receive(self, command_id, on_stdout, on_stderr, deadline, started, label,
                 if_lost: IfLost) -> tuple[int, tuple[Stream, Stream]]:
        protocol = self._protocol
        assert protocol is not None
        streams = (Stream(on_stdout, self.oem_codepage), Stream(on_stderr, self.oem_codepage))
        failures = 0
        reauthed = False
        lost: tuple[str, float] | None = None  # the first lost reply's kind and wait ("report")
        while True:
            self._check_deadline(deadline, started, label)
            protocol.long_poll(None if deadline is None else deadline - time.monotonic())
            try:
                out, err, code, done = self._call(protocol.get_command_output_raw,
                                                  self._shell_id, command_id)
            except WinRMOperationTimeoutError:
                failures = 0  # no output yet; the connection is fine
                continue
            except Exception as exc:
                k = kind(exc)
                if k == "gone":
                    self._shell_id = None if shell_gone(exc) else self._shell_id
                    raise RemoteFault(
                        f"{label} is no longer known to {self.endpoint.where}; its output "
                        "cannot be collected.",
                        "The shell may have timed out or been closed on the target; run the "
                        "step again.",
                    ) from None
                if k in REPLY_LOST:
                    if if_lost != "report":
                        self._reset_session()  # the Signal that stops it needs a new connection
                        raise _Lost(self._output_lost(label, k, None)) from None
                    lost = lost or (k, protocol.last_wait)  # the session is reset below
                # An HTTP error without a WS-Man fault handed out no output: ask again. A fault
                # is the service's answer (recorded Windows servers answer a bad Receive with
                # "The parameter is incorrect"): asking again would get it again.
                retry = k in (REPLY_LOST | NOT_SENT | {"http", "auth"}) - {"dns", "tls"}
                retry = retry and failures < self.max_retries
                if k == "auth":
                    # One fresh logon is worth trying (the old one may have expired); more
                    # attempts with a wrong password could lock the account out.
                    retry = retry and not reauthed
                    reauthed = True
                if not retry:
                    raise problem(exc, self.endpoint, protocol.last_wait) from None
                failures += 1
                log.info("receive from %s failed (%s); reconnecting, attempt %d",
                         self.endpoint.where, k, failures)
                self._pause(failures, deadline)
                self._reset_session()
                continue
            failures = 0
            streams[0].feed(out)
            streams[1].feed(err)
            if done:
                for stream in streams:
                    stream.end()
                if lost:
                    raise output_lost(self.endpoint.where, label, lost_how(*lost), code)
                return code, streams

    def _output_lost(self, label: str, k: str, exit_code: int | None) -> OutputLost:
        return output_lost(self.endpoint.where, label, lost_how(k, self._wait()), exit_code)

    def _cleanup(self, command_id: str) -> None:
        """Signal the command to stop and forget it; tolerant, because it runs in `finally`."""
        if self._protocol is None or self._shell_id is None:
            return
        self._protocol.quick()
        for attempt in (1, 2):
            try:
                self._call(self._protocol.cleanup_command, self._shell_id, command_id)
                return
            except Exception as exc:
                k = kind(exc)
                log.info("stopping a command on %s failed: %s", self.endpoint.where, k)
                if k == "gone" or attempt == 2:
                    return
                self._reset_session()

    def _check_deadline(self, deadline: float | None, started: float, label: str) -> None:
        now = time.monotonic()
        if deadline is not None and now >= deadline:
            raise CommandTimeout(
                f"{label} on {self.endpoint.where} did not finish within "
                f"{max(0.0, deadline - started):.1f} s and was stopped after "
                f"{now - started:.1f} s.",
                "Check the target for what holds the command up, or allow more time.",
            )
