"""Guards on everything read from disk: what CIFAR-10 can be, and one-line errors past it.

A CIFAR-10 source is refused before it is read into memory if it is not a regular file (a pipe or
a device would hang or never end), if a file is larger than any CIFAR-10 file, or if an archive
holds more files or more bytes than CIFAR-10 does (a decompression bomb).
"""
from __future__ import annotations

import stat
import tarfile
from pathlib import Path, PurePosixPath

# What CIFAR-10 can be, with a margin: anything larger is refused before it is read into memory.
MAX_BATCH_BYTES = 40_000_000      # an official batch file is 31 MB
MAX_IMAGE_BYTES = 1_000_000       # a 32x32 JPEG or PNG is a few KB
MAX_IMAGES = 70_000               # CIFAR-10 has 60,000
MAX_ARCHIVE_BYTES = 500_000_000   # everything an archive may unpack to (the official one: 178 MB)


class DataError(ValueError):
    """A CIFAR-10 source that cannot be read; the message says what is wrong and how to fix it."""


def _brief(exc: BaseException) -> str:
    """The first line of an exception's message, so that our errors stay on one line."""
    text = str(exc).strip().splitlines()
    return (text[0].rstrip(":") if text else type(exc).__name__)[:120]


def regular_file(path: Path, limit: int) -> Path:
    """``path`` if it is a regular file no larger than ``limit``; a FIFO, a device or an oversized file is refused."""
    try:
        info = path.stat()  # follows a link: a link to /dev/zero is a device
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise DataError(f"{path} cannot be read ({_brief(exc)}); check the path and its permissions") from exc
    if not stat.S_ISREG(info.st_mode):
        raise DataError(f"{path} is not a regular file (a pipe, device or socket); point at the real CIFAR-10 file")
    if info.st_size > limit:
        raise DataError(f"{path} is {info.st_size:,} bytes, larger than any CIFAR-10 file ({limit:,}); "
                        "it is not a CIFAR-10 file, replace it")
    return path


def is_resource_fork(name: str) -> bool:
    """macOS writes ``._name`` companions (resource forks) when it copies to some disks: not images."""
    return PurePosixPath(name).name.startswith("._")


def checked_members(tar: tarfile.TarFile, path: Path) -> list[tarfile.TarInfo]:
    """The archive's files, refused as soon as one, their number or their total is beyond CIFAR-10's size."""
    members, total = [], 0
    for member in tar:  # headers one at a time: a million-member archive stops at the cap
        if not member.isfile():
            continue
        limit = MAX_BATCH_BYTES if member.name.rsplit("/", 1)[-1].startswith(("data_batch", "test_batch", "batches")) \
            else MAX_IMAGE_BYTES
        if member.size > limit:
            raise DataError(f"{path}: member {member.name} would unpack to {member.size:,} bytes, larger than any "
                            "CIFAR-10 file; the archive is not CIFAR-10 (or is a decompression bomb), do not use it")
        total += member.size
        members.append(member)
        if len(members) > MAX_IMAGES + 100 or total > MAX_ARCHIVE_BYTES:
            raise DataError(f"{path} unpacks to more than {MAX_IMAGES:,} images or {MAX_ARCHIVE_BYTES:,} bytes, "
                            "more than CIFAR-10 holds; the archive is not CIFAR-10, do not use it")
    return members
