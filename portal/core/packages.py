"""Checking a ZIP package (.docx, .xlsx, .ofd) before a library parses it: a ZIP bomb is refused before it is unpacked.

python-docx loads every part a relationship points to, wherever it sits in the package (a 3 GB docProps/huge.bin
linked from _rels/.rels), openpyxl follows absolute targets (/s/sheet1.xml) and reads docProps/core.xml whole: so
every member counts, not only the parts a reader expects. The sizes are those the archive declares: Python's
zipfile never unpacks more of a member than its declared size, so a member that lies about it is cut short (and
fails its CRC check), not unpacked further.

The limits: files reach the portal at 5 MB (a comment's attachment, a draft) or 10 MB (the files of an e-mail). A
real document of that size is mostly photos, stored already compressed (1-1.3 times their size unpacked); its XML
is a few MB at most (a 200-page draft: about 3 MB). 20 MB unpacked holds both; parsed XML takes up to 50 times its
size in memory (a run of empty paragraphs), so a higher limit lets a 100 kB file hold the worker for a minute and
take gigabytes.
"""
from __future__ import annotations

import io
import zipfile

UNPACKED_MAX = 20 * 1024 * 1024  # bytes of all the members together, as declared
MEMBERS_MAX = 1000  # a document with a hundred photos has about 120


class PackageRefused(ValueError):
    """Not a ZIP archive, or one too large once unpacked (``too_large``)."""

    def __init__(self, reason: str, too_large: bool = False):
        super().__init__(reason)
        self.too_large = too_large


def checked_zip(data: bytes, unpacked_max: int = UNPACKED_MAX, members_max: int = MEMBERS_MAX) -> zipfile.ZipFile:
    """The archive of ``data``, open, when every member together unpacks to at most ``unpacked_max`` bytes and there
    are at most ``members_max`` members; else PackageRefused, nothing unpacked."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as error:
        raise PackageRefused(f"not a zip archive: {error}") from error
    members = archive.infolist()
    if len(members) > members_max:
        archive.close()
        raise PackageRefused(f"{len(members)} members in the archive (at most {members_max})", too_large=True)
    unpacked = sum(member.file_size for member in members)
    if unpacked > unpacked_max:
        archive.close()
        raise PackageRefused(f"{unpacked} bytes once unpacked (at most {unpacked_max})", too_large=True)
    return archive


def check_zip(data: bytes, **limits) -> None:
    """``checked_zip`` for a reader that opens the file itself (python-docx, openpyxl)."""
    checked_zip(data, **limits).close()
