"""Rendering of the application: content blocks, PDF and DOCX writers, fonts, export."""
