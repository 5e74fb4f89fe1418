"""The electronic copy: the e-mail zip, its manifest, the size budget and verification.

* :mod:`.zipper` — :func:`build_package` writes ``<call>-<direction>-<unit>.zip`` atomically;
* :mod:`.manifest` — ``manifest.json`` fields, :func:`read_manifest`, path-free submission JSON;
* :mod:`.shrink` — image recompression of the volume copy when the zip is over budget;
* :mod:`.verify` — :func:`verify_package` for ``zscq-desktop verify``.

No Qt here.
"""

from zscq_desktop.package.manifest import PackageError, read_manifest
from zscq_desktop.package.verify import verify_package
from zscq_desktop.package.zipper import PackageInfo, PackageResult, build_package, package_name

__all__ = ["PackageError", "PackageInfo", "PackageResult", "build_package", "package_name", "read_manifest",
           "verify_package"]
