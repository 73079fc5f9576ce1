"""WS-Man/WinRS envelopes: reading requests and writing answers in the shapes Windows uses.

The answer templates follow the recordings in shared/reference/winrs-recorded (real Windows
servers), with the same prefixes and namespaces, so pywinrm parses them as it parses Windows.
"""

from __future__ import annotations

import base64
import re
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

NS = {
    "s": "http://www.w3.org/2003/05/soap-envelope",
    "a": "http://schemas.xmlsoap.org/ws/2004/08/addressing",
    "w": "http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd",
    "rsp": "http://schemas.microsoft.com/wbem/wsman/1/windows/shell",
}
SHELL_URI = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell"
CMD_URI = f"{SHELL_URI}/cmd"
TRANSFER = "http://schemas.xmlsoap.org/ws/2004/09/transfer"
ANONYMOUS = "http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous"
DEFAULT_MAX_ENVELOPE = 153600

ACTIONS = {
    f"{TRANSFER}/Create": "Create",
    f"{TRANSFER}/Delete": "Delete",
    f"{SHELL_URI}/Command": "Command",
    f"{SHELL_URI}/Send": "Send",
    f"{SHELL_URI}/Receive": "Receive",
    f"{SHELL_URI}/Signal": "Signal",
}
RESPONSE_ACTIONS = {
    "Create": f"{TRANSFER}/CreateResponse",
    "Delete": f"{TRANSFER}/DeleteResponse",
    "Command": f"{SHELL_URI}/CommandResponse",
    "Send": f"{SHELL_URI}/SendResponse",
    "Receive": f"{SHELL_URI}/ReceiveResponse",
    "Signal": f"{SHELL_URI}/SignalResponse",
}

_ENVELOPE = (
    '<s:Envelope xml:lang="en-US" xmlns:s="http://www.w3.org/2003/05/soap-envelope" '
    'xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" '
    'xmlns:x="http://schemas.xmlsoap.org/ws/2004/09/transfer" '
    'xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd" '
    'xmlns:rsp="http://schemas.microsoft.com/wbem/wsman/1/windows/shell" '
    'xmlns:p="http://schemas.microsoft.com/wbem/wsman/1/wsman.xsd">'
    "<s:Header><a:Action>{action}</a:Action><a:MessageID>uuid:{mid}</a:MessageID>"
    "<a:To>" + ANONYMOUS + "</a:To><a:RelatesTo>{relates}</a:RelatesTo></s:Header>"
    "<s:Body>{body}</s:Body></s:Envelope>"
)


class BadRequest(Exception):
    """The body is not a WS-Man request this server understands."""


@dataclass
class Request:
    action: str  # short name: Create, Command, ...
    message_id: str
    operation_timeout: float
    max_envelope: int
    shell_id: str | None
    body: ET.Element
    header: ET.Element


def duration(text: str | None) -> float:
    m = re.fullmatch(r"PT(\d+(?:\.\d+)?)S", (text or "").strip())
    return float(m.group(1)) if m else 60.0


def parse(xml: bytes) -> Request:
    try:
        # The client is the local pywinrm; expat in 3.11 resolves no external entities.
        root = ET.fromstring(xml)  # noqa: S314
    except ET.ParseError as exc:
        raise BadRequest("not XML") from exc
    header = root.find("s:Header", NS)
    body = root.find("s:Body", NS)
    if header is None or body is None:
        raise BadRequest("not a SOAP envelope")
    action = ACTIONS.get(header.findtext("a:Action", "", NS).strip())
    if action is None:
        raise BadRequest("unsupported action")
    selector = header.find("w:SelectorSet/w:Selector[@Name='ShellId']", NS)
    try:
        max_env = int(header.findtext("w:MaxEnvelopeSize", str(DEFAULT_MAX_ENVELOPE), NS))
    except ValueError:
        max_env = DEFAULT_MAX_ENVELOPE
    return Request(
        action=action,
        message_id=header.findtext("a:MessageID", "", NS).strip(),
        operation_timeout=duration(header.findtext("w:OperationTimeout", None, NS)),
        max_envelope=max_env,
        shell_id=selector.text.strip() if selector is not None and selector.text else None,
        body=body,
        header=header,
    )


def options(req: Request) -> dict[str, str]:
    """The request's w:OptionSet, name -> value (WINRS_CONSOLEMODE_STDIN, WINRS_SKIP_CMD_SHELL)."""
    return {
        o.get("Name", ""): (o.text or "").strip()
        for o in req.header.findall("w:OptionSet/w:Option", NS)
    }


def new_id() -> str:
    return str(uuid.uuid4()).upper()


def envelope(req: Request, body: str, action: str | None = None) -> bytes:
    text = _ENVELOPE.format(
        action=action or RESPONSE_ACTIONS[req.action],
        mid=new_id(),
        relates=escape(req.message_id),
        body=body,
    )
    return text.encode("utf-8")


def create_response(
    req: Request, shell_id: str, owner: str, address: str, idle_timeout: float = 7200.0
) -> bytes:
    body = (
        f"<x:ResourceCreated><a:Address>{escape(address)}</a:Address><a:ReferenceParameters>"
        f"<w:ResourceURI>{CMD_URI}</w:ResourceURI><w:SelectorSet>"
        f'<w:Selector Name="ShellId">{shell_id}</w:Selector></w:SelectorSet>'
        f'</a:ReferenceParameters></x:ResourceCreated><rsp:Shell xmlns:rsp="{SHELL_URI}">'
        f"<rsp:ShellId>{shell_id}</rsp:ShellId><rsp:ResourceUri>{CMD_URI}</rsp:ResourceUri>"
        f"<rsp:Owner>{escape(owner)}</rsp:Owner><rsp:ClientIP>127.0.0.1</rsp:ClientIP>"
        f"<rsp:IdleTimeOut>PT{idle_timeout:.3f}S</rsp:IdleTimeOut>"
        "<rsp:InputStreams>stdin</rsp:InputStreams>"
        "<rsp:OutputStreams>stdout stderr</rsp:OutputStreams>"
        "<rsp:ShellRunTime>P0DT0H0M0S</rsp:ShellRunTime>"
        "<rsp:ShellInactivity>P0DT0H0M0S</rsp:ShellInactivity></rsp:Shell>"
    )
    return envelope(req, body)


def command_response(req: Request, command_id: str) -> bytes:
    body = f"<rsp:CommandResponse><rsp:CommandId>{command_id}</rsp:CommandId></rsp:CommandResponse>"
    return envelope(req, body)


def empty_response(req: Request) -> bytes:
    bodies = {"Send": "<rsp:SendResponse/>", "Signal": "<rsp:SignalResponse/>"}
    return envelope(req, bodies.get(req.action, ""))


def stream_xml(name: str, command_id: str, data: bytes, end: bool = False) -> str:
    end_attr = ' End="true"' if end else ""
    text = base64.b64encode(data).decode("ascii")
    return f'<rsp:Stream Name="{name}" CommandId="{command_id}"{end_attr}>{text}</rsp:Stream>'


def receive_response(
    req: Request, command_id: str, streams: list[str], exit_code: int | None
) -> bytes:
    if exit_code is None:
        state = (
            f'<rsp:CommandState CommandId="{command_id}" '
            f'State="{SHELL_URI}/CommandState/Running"></rsp:CommandState>'
        )
    else:
        state = (
            f'<rsp:CommandState CommandId="{command_id}" State="{SHELL_URI}/CommandState/Done">'
            f"<rsp:ExitCode>{exit_code}</rsp:ExitCode></rsp:CommandState>"
        )
    body = f"<rsp:ReceiveResponse>{''.join(streams)}{state}</rsp:ReceiveResponse>"
    return envelope(req, body)


# Room a Receive answer needs besides its streams: header, CommandState, per-stream wrapping.
RECEIVE_OVERHEAD = 2048
STREAM_OVERHEAD = 120


# --- faults -----------------------------------------------------------------------------------

TIMED_OUT = 2150858793
INVALID_SELECTORS = 2150858843
INTERNAL_ERROR = 2147943515  # what Windows reports for "the service is in a bad state"

_TIMEOUT_TEXT = (
    "The WS-Management service cannot complete the operation within the time specified in "
    "OperationTimeout.  "
)
_NO_COMMAND_TEXT = (
    "The Windows Remote Shell received a request to perform an operation on a command identifier "
    "that does not exist. Either the command has completed execution or the client specified an "
    "invalid command identifier. "
)
_SELECTORS_REASON = (
    "The WS-Management service cannot process the request because the request contained invalid "
    "selectors for the resource. "
)


def _no_shell_text(shell_id: str) -> str:
    return (
        f"The request for the Windows Remote Shell with ShellId {shell_id} failed because the "
        "shell was not found on the server. Possible causes are: the specified ShellId is "
        "incorrect or the shell no longer exists on the server. Provide the correct ShellId or "
        "create a new shell and retry the operation. "
    )


def fault(
    req: Request | None,
    code: str,
    subcode: str,
    reason: str,
    wsman_code: int,
    message: str,
    detail: str = "",
) -> bytes:
    relates = escape(req.message_id) if req else ""
    body = (
        f"<s:Fault><s:Code><s:Value>{code}</s:Value><s:Subcode><s:Value>{subcode}</s:Value>"
        f'</s:Subcode></s:Code><s:Reason><s:Text xml:lang="en-US">{escape(reason)}</s:Text>'
        f"</s:Reason><s:Detail>{detail}"
        f'<f:WSManFault xmlns:f="http://schemas.microsoft.com/wbem/wsman/1/wsmanfault" '
        f'Code="{wsman_code}" Machine={quoteattr("127.0.0.1")}><f:Message>{escape(message)}'
        "</f:Message></f:WSManFault></s:Detail></s:Fault>"
    )
    text = _ENVELOPE.format(
        action="http://schemas.dmtf.org/wbem/wsman/1/wsman/fault",
        mid=new_id(),
        relates=relates,
        body=body,
    )
    return text.encode("utf-8")


def timed_out(req: Request) -> bytes:
    return fault(req, "s:Receiver", "w:TimedOut", _TIMEOUT_TEXT, TIMED_OUT, _TIMEOUT_TEXT)


def no_command(req: Request) -> bytes:
    detail = (
        "<w:FaultDetail>http://schemas.dmtf.org/wbem/wsman/1/wsman/faultDetail/"
        "UnexpectedSelectors</w:FaultDetail>"
    )
    return fault(
        req, "s:Sender", "w:InvalidSelectors", _SELECTORS_REASON, INVALID_SELECTORS,
        _NO_COMMAND_TEXT, detail,
    )


def no_shell(req: Request, shell_id: str) -> bytes:
    text = _no_shell_text(shell_id)
    return fault(req, "s:Sender", "w:InvalidSelectors", text, INVALID_SELECTORS, text)


MAX_SHELLS = 2150859173  # ERROR_WSMAN_QUOTA_MAX_SHELLS (0x803381A5)


def max_shells(req: Request, limit: int) -> bytes:
    """The user already has MaxShellsPerUser shells open (winrm/config/winrs)."""
    text = (
        "The WS-Management service cannot process the request. This user is allowed a maximum "
        f"number of {limit} concurrent shells, which has been exceeded. Close existing shells "
        "or raise the quota for this user. "
    )
    return fault(req, "s:Receiver", "w:InternalError", text, MAX_SHELLS, text)


def internal_error(req: Request | None, message: str) -> bytes:
    return fault(req, "s:Receiver", "w:InternalError", message, INTERNAL_ERROR, message)
