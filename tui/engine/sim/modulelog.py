"""PowerShell Module Logging (event 4103) on the simulated target.

Windows records every cmdlet invocation with its parameter values, pipeline input included
("about_Logging_Windows"); .NET and COM method calls are not recorded. The simulation reads the
script text that really arrived and, for each line that calls a cmdlet (a `Verb-Noun` command with
an approved verb), records what the event would hold: the line with every value the script had
at hand substituted: `$Params.x` / `$Params['x']`, and variables assigned straight from one of
those or from stdin (`[Console]::In.ReadToEnd()`). A line-level reading, not a PowerShell
interpreter: it sees what a cmdlet is handed directly, which is how secrets reach the log."""

from __future__ import annotations

import json
import re

_VERBS = ("Add|Clear|Close|Copy|Enter|Exit|Find|Format|Get|Hide|Join|Lock|Move|New|Open|Optimize|"
          "Pop|Push|Redo|Remove|Rename|Reset|Resize|Search|Select|Set|Show|Skip|Split|Step|Switch|"
          "Undo|Unlock|Watch|Connect|Disconnect|Read|Receive|Send|Write|Backup|Checkpoint|Compare|"
          "Compress|Convert|ConvertFrom|ConvertTo|Dismount|Edit|Expand|Export|Group|Import|"
          "Initialize|Limit|Merge|Mount|Out|Publish|Restore|Save|Sync|Unpublish|Update|Approve|"
          "Assert|Build|Complete|Confirm|Deny|Deploy|Disable|Enable|Install|Invoke|Register|"
          "Request|Restart|Resume|Start|Stop|Submit|Suspend|Uninstall|Unregister|Wait|Debug|"
          "Measure|Ping|Repair|Resolve|Test|Trace|Block|Grant|Protect|Revoke|Unblock|Unprotect|Use")
_CMDLET = re.compile(rf"(?<![\w.$\[:-])((?:{_VERBS})-[A-Z][A-Za-z]+)\b")
_PARAM = re.compile(r"\$Params(?:\.(\w+)|\['(\w+)'\])")
_ASSIGN = re.compile(r"^\s*\$(\w+)\s*=\s*(.+?)\s*$")
_STDIN = "[Console]::In.ReadToEnd()"


def logical_lines(text: str) -> list[str]:
    """Lines with backtick continuations joined, comments and here-strings left out."""
    out: list[str] = []
    buf = ""
    in_here = False
    for raw in text.splitlines():
        if in_here:
            in_here = not raw.startswith(("'@", '"@'))
            continue
        if raw.rstrip().endswith(("@'", '@"')):
            in_here = True
        line = raw.split("#", 1)[0] if raw.lstrip().startswith("#") else raw
        if line.rstrip().endswith("`"):
            buf += line.rstrip()[:-1] + " "
            continue
        out.append(buf + line)
        buf = ""
    return out


def _value(value: object) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def records(script_text: str, params: dict, stdin: str = "") -> list[tuple[str, str]]:
    """(cmdlet, what event 4103 holds for that call) for each cmdlet call in the script."""
    known: dict[str, str] = {}
    found: list[tuple[str, str]] = []

    def substitute(line: str) -> str:
        line = _PARAM.sub(lambda m: _value(params.get(m[1] or m[2], "")), line)
        line = line.replace(_STDIN, stdin)
        for name, value in known.items():
            line = re.sub(rf"\${name}\b", lambda _m, v=value: v, line)
        return line

    for line in logical_lines(script_text):
        if m := _ASSIGN.match(line):
            rhs = m[2]
            if _PARAM.fullmatch(rhs) or rhs == _STDIN or rhs.startswith("[string]$Params"):
                known[m[1]] = substitute(rhs.removeprefix("[string]"))
        for cmd in _CMDLET.findall(line):
            found.append((cmd, substitute(line.strip())))
    return found
