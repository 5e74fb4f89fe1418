"""The bound volume: binding form, plan and supporting files into one PDF, and the export of the set."""
