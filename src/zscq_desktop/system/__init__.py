"""How the program meets the operating system as it really is (Windows first): temporary folders
that antivirus holds on to, files other programs keep open, child processes started from the frozen
app, console code pages, synced and network folders. No Qt here."""
