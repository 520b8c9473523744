"""A bundle of passes (.pkpasses): one download that adds several passes at once.

Apple (Distributing and updating a pass, "Create a bundle of passes"): a ZIP archive
whose entries are the signed .pkpass files, served as application/vnd.apple.pkpasses;
at most 10 passes or 150 MB. Wallet on iOS 15.1 and later opens it.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence

PKPASSES_MIMETYPE = "application/vnd.apple.pkpasses"
MAX_PASSES = 10
MAX_BYTES = 150 * 1000 * 1000
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


class PassBundleTooLarge(ValueError):
    """More passes or bytes than Wallet accepts in one .pkpasses file."""


def check_pkpasses_limits(pass_count: int, total_bytes: int = 0) -> None:
    if pass_count > MAX_PASSES:
        raise PassBundleTooLarge(
            f"{pass_count} passes: Apple Wallet adds at most {MAX_PASSES} passes from one download")
    if total_bytes > MAX_BYTES:
        raise PassBundleTooLarge(
            f"{total_bytes} bytes: Apple Wallet takes at most {MAX_BYTES} bytes in one download")


def build_pkpasses(pkpasses: Sequence[bytes]) -> bytes:
    """The .pkpasses archive of signed .pkpass files, in the order given."""
    check_pkpasses_limits(len(pkpasses), sum(len(content) for content in pkpasses))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for number, content in enumerate(pkpasses, start=1):
            info = zipfile.ZipInfo(f"pass-{number}.pkpass", date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_STORED  # each .pkpass is compressed already
            archive.writestr(info, content)
    return buffer.getvalue()
