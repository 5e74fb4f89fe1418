"""Storage: the `.zscq` document (one SQLite file per submission) and the user-data library
(unit profiles, the local index of drafts, recent files) in the user data folder.

The names below are loaded from their modules on first use (PEP 562): the start page reads the
recent-file list from `store.profiles` without loading SQLite and the document layer.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_WHERE = {
    "Document": "document", "DocumentError": "document",
    **{name: "profiles" for name in ("DraftIndex", "LibraryError", "ProfileLibrary", "RecentFiles", "drafts_dir",
                                     "new_draft_path", "user_data_dir")},
}

__all__ = ["Document", "DocumentError", "DraftIndex", "LibraryError", "ProfileLibrary", "RecentFiles", "drafts_dir",
           "new_draft_path", "user_data_dir"]

if TYPE_CHECKING:
    from zscq_desktop.store.document import Document, DocumentError
    from zscq_desktop.store.profiles import (DraftIndex, LibraryError, ProfileLibrary, RecentFiles, drafts_dir,
                                             new_draft_path, user_data_dir)


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value
