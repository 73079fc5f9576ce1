"""Exports: an answer file or a fleet file turned into something other tools run (an Ansible
project, a standalone PowerShell script), built from the same plan and the same target scripts
as `mimsetup` itself. Nothing here needs Ansible, textual or winrm."""
