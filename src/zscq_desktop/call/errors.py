"""The error every reader of call data raises (apart from the loader so that light readers need not load it)."""

from __future__ import annotations


class CallDataError(ValueError):
    """A call data file is missing or malformed."""

    def __init__(self, file: str, key: str, reason: str) -> None:
        self.file, self.key, self.reason = file, key, reason
        super().__init__(f"{file}: {key}: {reason}" if key else f"{file}: {reason}")
