"""Content-addressed blobs under the Django storage API (design.md rule 7).

An object's name is "sha256/ab/cd/<hash>": the bytes name themselves, so the same
bytes are stored once and an object is never overwritten. The local folder and an
S3-compatible bucket behave the same, because only the storage API is used.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from django.core.files import File
from django.core.files.storage import Storage, storages

log = logging.getLogger(__name__)

PREFIX = "sha256"
CHUNK = 1024 * 1024
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


def files_storage() -> Storage:
    return storages["default"]


def blob_name(sha256: str) -> str:
    if not _HEX64.match(sha256):
        raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
    return f"{PREFIX}/{sha256[:2]}/{sha256[2:4]}/{sha256}"


def exists(sha256: str) -> bool:
    return files_storage().exists(blob_name(sha256))


def put(sha256: str, path: Path, size: int) -> bool:
    """Store the file at `path` under its hash unless the object is already there.
    Returns True when this call wrote it. The caller has hashed `path` already.

    Two writers of the same new bytes may race; the storage then keeps one object and
    gives the other an alternative name, which is removed here: both writers end up
    pointing at the same, complete object. An object of the wrong size can only be the
    remains of a write that crashed half-way: it is replaced, never trusted."""
    storage = files_storage()
    name = blob_name(sha256)
    if storage.exists(name):
        if storage.size(name) == size:
            return False
        log.warning("replacing incomplete object %s (%s bytes, expected %s)", name, storage.size(name), size)
        storage.delete(name)
    with path.open("rb") as fh:
        saved = storage.save(name, File(fh, name=name))
    if saved != name:
        storage.delete(saved)
        return False
    return True


def open_blob(sha256: str) -> IO[bytes]:
    return files_storage().open(blob_name(sha256), "rb")


def iter_blob(sha256: str, chunk_size: int = CHUNK) -> Iterator[bytes]:
    with open_blob(sha256) as fh:
        while chunk := fh.read(chunk_size):
            yield chunk


def read_blob(sha256: str) -> bytes:
    with open_blob(sha256) as fh:
        return fh.read()


def hash_of_blob(sha256: str) -> str:
    """Re-hash what storage holds under `sha256` (for `vanban files verify`)."""
    digest = hashlib.sha256()
    for chunk in iter_blob(sha256):
        digest.update(chunk)
    return digest.hexdigest()


def delete_blob(sha256: str) -> None:
    """Only for objects no row points at (`vanban files sweep`); a referenced object is
    never deleted."""
    files_storage().delete(blob_name(sha256))


def iter_blob_hashes() -> Iterator[str]:
    """Every hash stored under the prefix, walking the two fan-out levels."""
    storage = files_storage()
    try:
        first_level, _ = storage.listdir(PREFIX)
    except FileNotFoundError:
        return
    for a in sorted(first_level):
        second_level, _ = storage.listdir(f"{PREFIX}/{a}")
        for b in sorted(second_level):
            _, files = storage.listdir(f"{PREFIX}/{a}/{b}")
            for name in sorted(files):
                if _HEX64.match(name) and name[:2] == a and name[2:4] == b:
                    yield name
