"""Value types: a base type plus the rule from `rules` that checks it."""

from typing import Annotated

from pydantic import AfterValidator, Field

from tui.model import rules

Host = Annotated[str, AfterValidator(rules.host)]
NetbiosDomain = Annotated[str, AfterValidator(rules.netbios_domain)]
SamAccountName = Annotated[str, AfterValidator(rules.sam_account_name)]
Account = Annotated[str, AfterValidator(rules.account)]
Email = Annotated[str, AfterValidator(rules.email)]
Url = Annotated[str, AfterValidator(rules.url)]
SqlServer = Annotated[str, AfterValidator(rules.sql_server)]
SqlDatabase = Annotated[str, AfterValidator(rules.sql_database)]
Thumbprint = Annotated[str, AfterValidator(rules.thumbprint)]
WindowsPath = Annotated[str, AfterValidator(rules.windows_path)]
MsiFile = Annotated[str, AfterValidator(rules.msi_file)]
Port = Annotated[int, Field(ge=1, le=65535)]
MsiProperties = Annotated[dict[str, str], AfterValidator(rules.msi_property_names)]
