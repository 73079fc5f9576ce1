"""No export ever holds a password: an answer file with every secret written in clear (the
sentinel) is exported both ways, and the sentinel appears in no file and no output."""

from __future__ import annotations

from pathlib import Path

from tests.support.answers import SENTINEL, contoso_data
from tests.support.cli import run_cli
from tui.model.tomlio import dump_data
from tui.model.validation import validate_data


def answers_with_clear_secrets() -> str:
    data = contoso_data()
    data["service_account"]["password"] = SENTINEL
    data["registration_portal"]["password"] = SENTINEL + "reg"
    data["reset_portal"]["password"] = SENTINEL + "reset"
    data["target"]["password"] = SENTINEL + "winrm"
    data["mail"].update(server="mail.contoso.local", use_ssl=True, is_exchange=True,
                        poll_exchange=True, exchange_online=True, mailbox_password=SENTINEL + "mb")
    text = dump_data(data)
    loaded = validate_data(data)
    assert loaded.ok, [p.format() for p in loaded.problems]
    assert text.count(SENTINEL) == 5  # the input does hold them
    return text


def all_text(folder: Path) -> str:
    return "\n".join(p.read_bytes().decode("utf-8", "replace")
                     for p in sorted(folder.rglob("*")) if p.is_file())


def test_no_export_holds_a_password(tmp_path):
    src = tmp_path / "clear.toml"
    src.write_text(answers_with_clear_secrets(), encoding="utf-8")
    out = tmp_path / "ansible"
    outputs = []
    r = run_cli("export", "ansible", str(src), "-o", str(out))
    assert r.returncode == 0, r.stderr
    outputs += [r.stdout, r.stderr]
    (tmp_path / "ps").mkdir()  # an output's folder must exist (#12.11)
    r = run_cli("export", "powershell", str(src), "-o", str(tmp_path / "ps" / "install.ps1"))
    assert r.returncode == 0, r.stderr
    outputs += [r.stdout, r.stderr]
    r = run_cli("export", "powershell", str(src))
    assert r.returncode == 0, r.stderr
    outputs += [r.stdout, r.stderr]
    exported = all_text(out) + all_text(tmp_path / "ps") + "\n".join(outputs)
    assert SENTINEL not in exported
    # and the secrets are there as references: Vault variables, environment variables
    ansible_text = all_text(out)
    for var in ("vault_service_account_password", "vault_registration_account_password",
                "vault_reset_account_password", "vault_service_account_email_password",
                "vault_winrm_password"):
        assert var in ansible_text
    assert "MIMSETUP_SERVICE_ACCOUNT_EMAIL_PASSWORD" in outputs[-2]
