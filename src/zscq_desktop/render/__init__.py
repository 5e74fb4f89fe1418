"""Content → documents: content blocks, fonts, the reportlab PDF of form, plan and checklist, and the DOCX."""
