"""Reusable widgets: field editors, table models and editors, dialogs behind small functions."""
