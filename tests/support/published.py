# ruff: noqa: E501 - the command lines are kept one argument list each, as their sources build them
"""Silent-install command lines for MIM (and FIM 2010 R2) Service and Portal published in community
scripts, each with its source. The scripts build the line from variables; the values here are
plausible ones in their place (names, hosts, passwords), the properties, their spelling and
their order are the scripts'. `mimsetup import` then `plan` must reproduce each one."""

from __future__ import annotations

from dataclasses import dataclass

PASSWORD = "Publ1shed-Pw!"


@dataclass(frozen=True)
class Published:
    name: str
    source: str
    text: str


PUBLISHED = (
    Published(
        "fim-in-a-box-r2",
        "sorengranfeldt/msidminstall fim-in-a-box/fiab-v3/I12-Install-FIM2010ServiceAndPortal.ps1 "
        "(Microsoft's FIM-in-a-Box, FIM 2010 R2), password reset portals included; as published it "
        "passes the reset account's password as RESET_ACCOUNT_NAME",
        "Start-Process -FilePath MSIEXEC.EXE -ArgumentList '/qn /I \"C:\\Software\\FIMR2\\Service and Portal\\Service and Portal.msi\" "
        "/LOG \"C:\\FIAB\\Logs\\FIMServiceAndPortal.Installation.20130115-105158.log\" "
        "ADDLOCAL=CommonServices,WebPortals,RegistrationPortal,ResetPortal ACCEPT_EULA=1 SQMOPTINSETTING=0 "
        "SQLSERVER_SERVER=FIM01 SQLSERVER_DATABASE=FIMService EXISTINGDATABASE=0 MAIL_SERVER=mailserver.develop.local "
        "MAIL_SERVER_USE_SSL=0 MAIL_SERVER_IS_EXCHANGE=0 POLL_EXCHANGE_ENABLED=0 CERTIFICATE_NAME=ForefrontIdentityManager "
        f"SERVICE_ACCOUNT_NAME=svcFIMService SERVICE_ACCOUNT_PASSWORD={PASSWORD} SERVICE_ACCOUNT_DOMAIN=DEVELOP "
        "SERVICE_ACCOUNT_EMAIL=svcFIMService@develop.local SERVICE_MANAGER_SERVER=FIM01 SYNCHRONIZATION_SERVER=FIM01 "
        "SYNCHRONIZATION_SERVER_ACCOUNT=DEVELOP\\svcFIMMA SERVICEADDRESS=r2svc.develop.local "
        "SHAREPOINT_URL=http://r2portal.develop.local REGISTRATION_PORTAL_URL=http://r2register.develop.local "
        "FIREWALL_CONF=1 SHAREPOINTUSERS_CONF=1 REQUIRE_REGISTRATION_INFO=1 REGISTRATION_ACCOUNT_NAME=svcFIMPwdReset "
        f"REGISTRATION_ACCOUNT_DOMAIN=DEVELOP REQUIRE_RESET_INFO=1 RESET_ACCOUNT_NAME={PASSWORD} RESET_ACCOUNT_DOMAIN=DEVELOP "
        f"REGISTRATION_ACCOUNT=DEVELOP\\svcFIMPwdReset REGISTRATION_ACCOUNT_PASSWORD={PASSWORD} "
        "REGISTRATION_HOSTNAME=r2register.develop.local REGISTRATION_PORT=80 REGISTRATION_FIREWALL_CONFIG=1 "
        "REGISTRATION_SERVERNAME=FIM01 IS_REGISTRATION_EXTRANET=Extranet RESET_ACCOUNT=DEVELOP\\svcFIMPwdReset "
        f"RESET_ACCOUNT_PASSWORD={PASSWORD} RESET_HOSTNAME=r2reset.develop.local RESET_PORT=80 RESET_FIREWALL_CONF=1  "
        "RESET_SERVERNAME=FIM01 IS_RESET_EXTRANET=Extranet' -Wait\n",
    ),
    Published(
        "fim-in-a-box-r2-no-reset",
        "sorengranfeldt/msidminstall fim-in-a-box/fiab-v3/I12-Install-FIM2010ServiceAndPortal.ps1 "
        "with -NoPasswordReset: the portals' accounts are still passed, their features are not",
        "Start-Process -FilePath MSIEXEC.EXE -ArgumentList '/qn /I \"C:\\Software\\FIMR2\\Service and Portal\\Service and Portal.msi\" "
        "/LOG \"C:\\FIAB\\Logs\\FIMServiceAndPortal.Installation.log\" ADDLOCAL=CommonServices,WebPortals ACCEPT_EULA=1 "
        "SQMOPTINSETTING=0 SQLSERVER_SERVER=FIM01 SQLSERVER_DATABASE=FIMService EXISTINGDATABASE=0 "
        "MAIL_SERVER=mailserver.develop.local MAIL_SERVER_USE_SSL=1 MAIL_SERVER_IS_EXCHANGE=1 POLL_EXCHANGE_ENABLED=1 "
        f"CERTIFICATE_NAME=ForefrontIdentityManager SERVICE_ACCOUNT_NAME=svcFIMService SERVICE_ACCOUNT_PASSWORD={PASSWORD} "
        "SERVICE_ACCOUNT_DOMAIN=DEVELOP SERVICE_ACCOUNT_EMAIL=svcFIMService@develop.local SERVICE_MANAGER_SERVER=FIM01 "
        "SYNCHRONIZATION_SERVER=FIM01 SYNCHRONIZATION_SERVER_ACCOUNT=DEVELOP\\svcFIMMA SERVICEADDRESS=r2svc.develop.local "
        "SHAREPOINT_URL=http://r2portal.develop.local REGISTRATION_PORTAL_URL=http://r2register.develop.local FIREWALL_CONF=1 "
        "SHAREPOINTUSERS_CONF=1 REQUIRE_REGISTRATION_INFO=1 REGISTRATION_ACCOUNT_NAME=svcFIMPwdReset "
        "REGISTRATION_ACCOUNT_DOMAIN=DEVELOP REQUIRE_RESET_INFO=1 RESET_ACCOUNT_NAME=svcFIMPwdReset "
        "RESET_ACCOUNT_DOMAIN=DEVELOP ' -Wait\n",
    ),
    Published(
        "xmimdsc-exchange-online",
        "Harish9211/xMIMDsc Modules/Common.psm1, Install-MimSvc: the MIM Service alone, mail in "
        "Exchange Online, no firewall or certificate property",
        "$Arguments = '/i \"\\\\files\\mim\\Service and Portal\\Service and Portal.msi\" ADDLOCAL=CommonServices ACCEPT_EULA=1 "
        "SQLSERVER_SERVER=MIMSQL SQLSERVER_DATABASE=FIMService EXISTINGDATABASE=0 SERVICE_ACCOUNT_NAME=svcMIMService "
        f"SERVICE_ACCOUNT_PASSWORD={PASSWORD} SERVICE_ACCOUNT_DOMAIN=CONTOSO SERVICE_ACCOUNT_EMAIL=mimservice@contoso.com "
        f"SERVICE_ACCOUNT_EMAIL_PASSWORD={PASSWORD} SERVICE_MANAGER_SERVER=MIM01 SYNCHRONIZATION_SERVER=MIM01 "
        "SYNCHRONIZATION_SERVER_ACCOUNT=CONTOSO\\svcMIMMA MAIL_SERVER=outlook.office365.com SERVICEADDRESS=mim01.contoso.com "
        "MAIL_SERVER_USE_SSL=1 MAIL_SERVER_IS_EXCHANGE=1 POLL_EXCHANGE_ENABLED=0 MAIL_SERVER_IS_EXCHANGE_ONLINE=1 "
        "SQMOPTINSETTING=0 REBOOT=ReallySuppress /l*v C:\\Users\\admin\\AppData\\Local\\Temp\\FimService.log /qn'\n"
        "Start-Process msiexec -ArgumentList $Arguments -Wait -PassThru\n",
    ),
    Published(
        "xmimdsc-pam-gmsa",
        "Harish9211/xMIMDsc Modules/Common.psm1, Install-MIMPamWithGmsa: MIM Service with PAM under "
        "a gMSA (SP2), reusing the database; no mail flags but Exchange Online's",
        "$Arguments = '/i \"\\\\files\\mim\\Service and Portal\\Service and Portal.msi\" ADDLOCAL=CommonServices,PAMServices "
        "ACCEPT_EULA=1 USE_MANAGED_ACCOUNT_FOR_SERVICE=1 SQLSERVER_SERVER=MIMSQL SQLSERVER_DATABASE=FIMService "
        "EXISTINGDATABASE=1 SERVICE_ACCOUNT_NAME=gmsaMIMSvc$ SERVICE_ACCOUNT_DOMAIN=CONTOSO "
        f"SERVICE_ACCOUNT_EMAIL=mimservice@contoso.com SERVICE_ACCOUNT_EMAIL_PASSWORD={PASSWORD} SERVICE_MANAGER_SERVER=MIM01 "
        "SYNCHRONIZATION_SERVER=MIM01 SYNCHRONIZATION_SERVER_ACCOUNT=CONTOSO\\svcMIMMA MAIL_SERVER=outlook.office365.com "
        "SERVICEADDRESS=mim01.contoso.com POLL_EXCHANGE_ENABLED=0 MAIL_SERVER_IS_EXCHANGE_ONLINE=1 "
        "PAM_MONITORING_SERVICE_ACCOUNT_DOMAIN=CONTOSO PAM_MONITORING_SERVICE_ACCOUNT_NAME=gmsaPAMMon$ "
        "PAM_COMPONENT_SERVICE_ACCOUNT_DOMAIN=CONTOSO PAM_COMPONENT_SERVICE_ACCOUNT_NAME=gmsaPAMComp$ "
        "PAM_REST_API_APPPOOL_ACCOUNT_DOMAIN=CONTOSO PAM_REST_API_APPPOOL_ACCOUNT_NAME=gmsaPAMApi$ MIMPAM_REST_API_PORT=8089 "
        "SQMOPTINSETTING=0 FIREWALL_CONF=1 REBOOT=ReallySuppress /l*v C:\\Temp\\MIMPAM_Install.log /qn'\n"
        "Start-Process msiexec -ArgumentList $Arguments -Verb RunAs -Wait -PassThru\n",
    ),
    Published(
        "unattended-generator",
        "kcrosby/MIMUnattendedInstallGenerator MainApp.cs: the .cmd it generates for the MIM Service "
        "and Portal (with its REBOOT=ReallySupress spelling)",
        "@echo off\r\nnet start spadminv4\r\n"
        "msiexec.exe /i \"C:\\MIM\\Service and Portal\\Service and Portal.msi\" INSTALLDIR=\"C:\\Program Files\\Microsoft Forefront Identity Manager\\2010\\\" "
        "ACCEPT_EULA=1 FIREWALL_CONF=1 SQMOPTINSETTING=0 REBOOT=ReallySupress ADDLOCAL=CommonServices,WebPortals "
        "MAIL_SERVER=localhost MAIL_SERVER_USE_SSL=0 MAIL_SERVER_IS_EXCHANGE=0 POLL_EXCHANGE_ENABLED=0 "
        "MAIL_SERVER_IS_EXCHANGE_ONLINE=0 SQLSERVER_SERVER=CORPSQL SQLSERVER_DATABASE=FIMService "
        "SHAREPOINT_URL=http://mimportal.contoso.local EXISTINGDATABASE=0 SERVICE_ACCOUNT_NAME=MIMService "
        f"SERVICE_ACCOUNT_PASSWORD=\"{PASSWORD}\" SERVICE_ACCOUNT_DOMAIN=CONTOSO SERVICE_ACCOUNT_EMAIL=MIMService@contoso.local "
        "SYNCHRONIZATION_SERVER_ACCOUNT=CONTOSO\\MIMMA SYNCHRONIZATION_SERVER=CORPIDM SERVICEADDRESS=CORPIDM "
        "SHAREPOINTUSERS_CONF=1 SHAREPOINTTIMEOUT=180 REGISTRATION_PORTAL_URL=http://passwordregistration.contoso.local "
        "/l*v \"C:\\Logs\\MIM_Service_Install_Log_2024_01_31.log\" /qn\r\n",
    ),
    Published(
        "blog-dsc-arguments",
        "blog post \"Install MIM Portal with PowerShell\" (2017-10-18, MIM 2016 SP1 in Azure with DSC): "
        "the argument list its Start-Process passes to msiexec, both SSPR portals, SHAREPOINTTIMEOUT=1440 and "
        "properties the package does not know (FIREWALLMODE, RUNNING_USER_EMAIL)",
        "msiexec.exe /i \"C:\\MIM\\Service and Portal\\Service and Portal.msi\" /qn "
        "ADDLOCAL=CommonServices,WebPortals,RegistrationPortal,ResetPortal ACCEPT_EULA=1 "
        "SQMOPTINSETTING=0 SQLSERVER_SERVER=SQL01 SQLSERVER_DATABASE=FIMService "
        "EXISTINGDATABASE=0 SERVICEADDRESS=MIMPORTAL01 "
        f"SERVICE_ACCOUNT_NAME=MIMPortalService SERVICE_ACCOUNT_PASSWORD={PASSWORD} "
        "SERVICE_ACCOUNT_DOMAIN=CONTOSO "
        "SERVICE_ACCOUNT_EMAIL=MIMPortalService@contoso.com "
        "RUNNING_USER_EMAIL=Administrator@contoso.com "
        "SYNCHRONIZATION_SERVER_ACCOUNT=CONTOSO\\MIMSyncService "
        "SYNCHRONIZATION_SERVER_ACCOUNT_NAME=MIMSyncService "
        "SYNCHRONIZATION_SERVER_ACCOUNT_DOMAIN=CONTOSO SYNCHRONIZATION_SERVER=MIMSYNC01 "
        "SHAREPOINTUSERS_CONF=1 SHAREPOINTTIMEOUT=1440 "
        "SHAREPOINT_URL=https://mim.contoso.com "
        "REGISTRATION_ACCOUNT=CONTOSO\\sspr_registration "
        "REGISTRATION_ACCOUNT_DOMAIN=CONTOSO REGISTRATION_ACCOUNT_NAME=sspr_registration "
        f"REGISTRATION_ACCOUNT_PASSWORD={PASSWORD} REGISTRATION_PORT=8080 "
        "REGISTRATION_SERVERNAME=MIMPORTAL01 "
        "REGISTRATION_PORTAL_URL=https://registration.contoso.com "
        "REGISTRATION_HOSTNAME=registration.contoso.com IS_REGISTRATION_EXTRANET=Extranet "
        "REGISTRATION_FIREWALL_CONF=1 REGISTRATION_FIREWALLMODE=INSTALL "
        "RESET_ACCOUNT=CONTOSO\\sspr_reset RESET_ACCOUNT_DOMAIN=CONTOSO "
        f"RESET_ACCOUNT_NAME=sspr_reset RESET_ACCOUNT_PASSWORD={PASSWORD} RESET_PORT=8088 "
        "RESET_SERVERNAME=MIMPORTAL01 RESET_HOSTNAME=reset.contoso.com "
        "IS_RESET_EXTRANET=Extranet RESET_FIREWALL_CONF=1 FIREWALLMODE=INSTALL "
        "RESET_FIREWALLMODE=INSTALL MIMPAM_ACCOUNT_DOMAIN=CONTOSO MAIL_SERVER=EXCH01 "
        "MAIL_SERVER_USE_SSL=1 MAIL_SERVER_IS_EXCHANGE=1 POLL_EXCHANGE_ENABLED=1"
    ),
)
