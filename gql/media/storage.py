"""Where media files live: a storage interface, and the local folder that is its default.

Every file is stored under a content-addressed name, `ab/<sha256 of the bytes>.<ext>`: the
name says which bytes it holds, so a file is written once and never changes (it caches for
a year, `IMMUTABLE_CACHE_CONTROL`), two uploads of the same bytes share one file, and a
write that raced another of the same bytes writes what was there already.

`MediaStorage` is what the rest of the code uses (uploads, renditions, deletes, dump/load
checks); `LocalStorage` keeps the files in `THREADPRESS_MEDIA_DIR`, served by this app at
`/media/` (`gql.media.serving`). An object-store backend (S3) is a second implementation of
the same interface, not written yet.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import tempfile
from pathlib import Path
from typing import Protocol

import models

CONTENT_NAME = re.compile(r"^[0-9a-f]{2}/[0-9a-f]{64}\.[a-z0-9]{2,5}$")
"""A content-addressed name, as `content_name` makes them."""
IMMUTABLE_CACHE_CONTROL = "public, max-age=31536000, immutable"


def content_name(data: bytes, extension: str) -> str:
    """The name `data` is stored under: its SHA-256, in a folder of its first two digits
    (so no folder holds more than a 256th of the files)."""
    digest = hashlib.sha256(data).hexdigest()
    return f"{digest[:2]}/{digest}.{extension}"


class MediaStorage(Protocol):
    """A place for media files, by content-addressed name."""

    async def put(self, name: str, data: bytes) -> None:
        """Store `data` as `name` (a content name of these bytes: a second put of the same
        name is a no-op)."""

    async def exists(self, name: str) -> bool:
        """Whether `name` is stored."""

    async def read(self, name: str) -> bytes:
        """The bytes of `name` (FileNotFoundError if it is not stored)."""

    async def delete(self, name: str) -> None:
        """Remove `name`; nothing happens if it is not stored."""


class LocalStorage:
    """Files in a local folder, written atomically (a temporary file in the same folder,
    then a rename): a reader never sees half a file, a crash leaves no partial one under a
    real name."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path_of(self, name: str) -> Path:
        """Where `name` lives; only content names are accepted (no `..`, no absolute path)."""
        if not CONTENT_NAME.match(name):
            raise ValueError(f"{name!r} is not a content-addressed media name")
        return self.root / name

    def prepare(self) -> None:
        """Make the folder (the server serves it from the start)."""
        self.root.mkdir(parents=True, exist_ok=True)

    async def put(self, name: str, data: bytes) -> None:
        await asyncio.to_thread(self._put, self.path_of(name), data)

    def _put(self, path: Path, data: bytes) -> None:
        if path.exists():
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            os.chmod(temporary, 0o644)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    async def exists(self, name: str) -> bool:
        return await asyncio.to_thread(self.path_of(name).is_file)

    async def read(self, name: str) -> bytes:
        return await asyncio.to_thread(self.path_of(name).read_bytes)

    async def delete(self, name: str) -> None:
        await asyncio.to_thread(self.path_of(name).unlink, missing_ok=True)


def media_url(base: str, name: str) -> str:
    """The public address of the stored file `name` under `base` (the media public URL, or
    this server's origin + `/media`)."""
    return f"{base}/{name}"


async def stored_names() -> list[str]:
    """Every file name the media rows name (originals and renditions), each once, in order."""
    originals = await models.MediaItem.all().order_by("id").values_list("file_name", flat=True)
    sizes = await models.MediaSize.all().order_by("id").values_list("file_name", flat=True)
    return list(dict.fromkeys(str(name) for name in [*originals, *sizes]))


async def missing_files(storage: MediaStorage) -> list[str]:
    """The files the media rows name that `storage` does not hold (a database loaded from a
    dump without its media folder)."""
    return [name for name in await stored_names() if not await storage.exists(name)]
