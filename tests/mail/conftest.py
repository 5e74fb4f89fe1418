"""Mail fixtures (the helpers themselves live in mailkit.py, importable by the test modules)."""

from mailkit import pki, smtp_server  # noqa: F401  (pytest finds fixtures by name)
