"""Value types: a base type plus the rules from `rules` that check it. Every text type starts with
`rules.text` (printable characters only), then its own rule."""

from typing import Annotated

from pydantic import AfterValidator, Field

from tui.model import rules


def _text(rule=None):
    checks = [AfterValidator(rules.text)] + ([AfterValidator(rule)] if rule else [])
    return Annotated[str, *checks]


Text = _text()
Host = _text(rules.host)
NetbiosDomain = _text(rules.netbios_domain)
SamAccountName = _text(rules.sam_account_name)
Account = _text(rules.account)
Email = _text(rules.email)
Url = _text(rules.url)
SqlServer = _text(rules.sql_server)
SqlDatabase = _text(rules.sql_database)
Thumbprint = _text(rules.thumbprint)
WindowsPath = _text(rules.windows_path)
MsiFile = _text(rules.msi_file)
TargetDiskPath = _text(rules.on_target_disk)  # a share is out of the install's reach
LocalPath = _text(rules.local_path)
Port = Annotated[int, Field(ge=1, le=65535)]
MsiProperties = Annotated[dict[str, str], AfterValidator(rules.msi_properties)]
