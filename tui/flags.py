"""The command line's option names that messages elsewhere tell users to pass. `tui.cli` declares
its options with these, and every layer's remedies name them from here, so that a remedy never
names an option that does not exist. Importable from anywhere: it imports nothing.
"""

INSECURE = "--insecure"  # Basic authentication over plain HTTP
NO_VERIFY = "--no-verify"  # no HTTPS certificate validation
CA_BUNDLE = "--ca-bundle"
HOST = "--host"
USER = "--user"
YES = "--yes"
FIX = "--fix"
HOST_NAME = "--host-name"  # fleet files: the one host a command runs on
