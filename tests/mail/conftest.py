"""Mail fixtures (the helpers themselves live in mailkit.py, importable by the test modules)."""

from mailkit import pki, smtp_server

__all__ = ["pki", "smtp_server"]  # pytest finds fixtures by name
