"""Content-addressed storage of uploaded documents: a file is kept once under its SHA-256,
however often and under whatever names it is uploaded. A local directory by default; object
storage (S3, MinIO) implements the same three calls."""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol


@dataclass(frozen=True)
class StoredBlob:
    sha256: str
    size_bytes: int
    created: bool  # False: the same content was already there


class BlobNotFound(KeyError):
    pass


class BlobCorrupted(Exception):
    """The stored bytes no longer hash to their name."""


class BlobStore(Protocol):
    def put(self, data: bytes) -> StoredBlob: ...

    def get(self, sha256: str) -> bytes: ...

    def exists(self, sha256: str) -> bool: ...


def _checked(sha256: str) -> str:
    if len(sha256) != 64 or any(ch not in "0123456789abcdef" for ch in sha256):
        raise BlobNotFound(sha256)  # never let a name reach the file system unchecked
    return sha256


class LocalBlobStore:
    """Blobs as files `root/ab/cd/abcd…` (two levels keep directories small)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, sha256: str) -> Path:
        name = _checked(sha256)
        return self.root / name[:2] / name[2:4] / name

    def exists(self, sha256: str) -> bool:
        try:
            return self.path(sha256).is_file()
        except BlobNotFound:
            return False

    def put(self, data: bytes) -> StoredBlob:
        sha256 = hashlib.sha256(data).hexdigest()
        target = self.path(sha256)
        if target.is_file() and target.stat().st_size == len(data):
            return StoredBlob(sha256, len(data), created=False)
        target.parent.mkdir(parents=True, exist_ok=True)
        # Write aside, flush to disk, then rename: a reader never sees half a file, and a
        # crash leaves at most a stray temporary file.
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, target)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
            raise
        return StoredBlob(sha256, len(data), created=True)

    def get(self, sha256: str) -> bytes:
        try:
            data = self.path(sha256).read_bytes()
        except FileNotFoundError:
            raise BlobNotFound(sha256) from None
        if hashlib.sha256(data).hexdigest() != sha256:
            raise BlobCorrupted(sha256)
        return data
