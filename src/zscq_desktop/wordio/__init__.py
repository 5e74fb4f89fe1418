"""The Word round trip: DOCX files that remember their fields, and the way back into the submission.

`marks` marks the exported DOCX (bookmarks ``zscq_<n>`` and a custom XML part), `read` reads a DOCX
back (bookmarked text, tables, tracked changes, comments), `parse` turns printed values back into
stored ones, `match` finds fields by label and heading where marks are gone (or were never there),
`diff` compares field by field, `importer` ties them together for the command line and the app.
Nothing here imports Qt.
"""
