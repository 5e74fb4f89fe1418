"""The electronic copy: the e-mail zip, its manifest, the size budget and verification.

* :mod:`.zipper` — :func:`build_package` writes ``<call>-<direction>-<unit>.zip`` atomically;
* :mod:`.manifest` — ``manifest.json`` fields, :func:`read_manifest`, path-free submission JSON;
* :mod:`.shrink` — image recompression of the volume copy when the zip is over budget;
* :mod:`.verify` — :func:`verify_package` for ``zscq-desktop verify``.

No Qt here.
"""

from importlib import import_module
from typing import Any

# Re-exported lazily: `package.ziplimits` is imported by every zip reader (the attachment sniffer, the
# Word import, call packs) at start-up, and must not pull in pypdf (verify) and the zip writer with it.
_EXPORTS = {"PackageError": "manifest", "read_manifest": "manifest", "verify_package": "verify",
            "PackageInfo": "zipper", "PackageResult": "zipper", "build_package": "zipper", "package_name": "zipper"}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(f"zscq_desktop.package.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module 'zscq_desktop.package' has no attribute {name!r}")
