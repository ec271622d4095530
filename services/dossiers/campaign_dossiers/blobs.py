"""Content-addressed storage of uploaded documents: a file is kept once under its SHA-256,
however often and under whatever names it is uploaded. A local directory by default; object
storage (S3, MinIO) implements the same calls.

An upload is staged: written to the store's staging directory chunk by chunk as it arrives
(hashed on the way), checked there, and moved into place by `put` — never held whole in
memory."""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from campaign_dossiers.domain.documents import UploadedContent


@dataclass(frozen=True)
class StoredBlob:
    sha256: str
    size_bytes: int
    created: bool  # False: the same content was already there


class BlobNotFound(KeyError):
    pass


class BlobCorrupted(Exception):
    """The stored bytes no longer hash to their name."""


class StagedUpload:
    """An upload being received: a temporary file in the store, hashed as it is written."""

    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(dir=directory, prefix=".upload-")
        self.path = Path(name)
        self._file: BinaryIO = os.fdopen(handle, "w+b")
        self._digest = hashlib.sha256()
        self.size_bytes = 0

    def write(self, chunk: bytes) -> None:
        self._file.write(chunk)
        self._digest.update(chunk)
        self.size_bytes += len(chunk)

    @property
    def sha256(self) -> str:
        return self._digest.hexdigest()

    def finish(self) -> BinaryIO:
        """All chunks are in: flushed to disk, and the file rewound to be checked."""
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.seek(0)
        return self._file

    def open(self) -> BinaryIO:
        return self.path.open("rb")

    def discard(self) -> None:
        """Remove the staged file (a refused upload, or one already moved into place)."""
        self._file.close()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)


class BlobStore(Protocol):
    def put(self, data: bytes | UploadedContent) -> StoredBlob: ...

    def stage(self) -> StagedUpload: ...

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

    def stage(self) -> StagedUpload:
        return StagedUpload(self.root / ".staging")

    def put(self, data: bytes | UploadedContent) -> StoredBlob:
        if isinstance(data, StagedUpload):
            return self._keep_staged(data)
        if not isinstance(data, bytes):
            with data.open() as source:
                data = source.read()  # another store's upload: not used by this service
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

    def _keep_staged(self, staged: StagedUpload) -> StoredBlob:
        """Move a checked upload into place under its hash (same file system: a rename)."""
        staged.finish()
        target = self.path(staged.sha256)
        if target.is_file() and target.stat().st_size == staged.size_bytes:
            staged.discard()
            return StoredBlob(staged.sha256, staged.size_bytes, created=False)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staged.path, target)
        staged.discard()
        return StoredBlob(staged.sha256, staged.size_bytes, created=True)

    def get(self, sha256: str) -> bytes:
        try:
            data = self.path(sha256).read_bytes()
        except FileNotFoundError:
            raise BlobNotFound(sha256) from None
        if hashlib.sha256(data).hexdigest() != sha256:
            raise BlobCorrupted(sha256)
        return data
