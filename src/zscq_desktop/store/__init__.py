"""Storage: the `.zscq` document (one SQLite file per submission) and the user-data library
(unit profiles, the local index of drafts, recent files) in the user data folder."""

from zscq_desktop.store.document import Document, DocumentError
from zscq_desktop.store.profiles import (DraftIndex, LibraryError, ProfileLibrary, RecentFiles, drafts_dir,
                                         new_draft_path, user_data_dir)

__all__ = ["Document", "DocumentError", "DraftIndex", "LibraryError", "ProfileLibrary", "RecentFiles", "drafts_dir",
           "new_draft_path", "user_data_dir"]
