"""Where the model store keeps its bytes: a local directory or an S3-compatible bucket, behind one interface.

Keys are '/'-separated names under the store. Objects are written whole and never changed afterwards, except
the small pointer objects, which change only through ``write_if`` (compare-and-swap on an opaque tag).
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import logging
import os
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import BinaryIO

from anyio import to_thread

from .version_ids import new_vid

CHUNK = 256 * 1024
log = logging.getLogger("tfjs_server.backends")


class Backend:
    """The operations the store needs; every one is safe to call from several processes at once."""

    description: str

    async def read(self, key: str) -> tuple[bytes, str] | None:
        """A small object's bytes and its tag (for ``write_if``), or None when absent."""
        raise NotImplementedError

    async def write_if(self, key: str, data: bytes, tag: str | None) -> bool:
        """Write ``data`` only if the object's tag is still ``tag`` (None: only if absent); False when not."""
        raise NotImplementedError

    async def put_files(self, prefix: str, files: dict[str, BinaryIO]) -> None:
        """Store open files as ``prefix + name``, streaming them; a crash half way leaves nothing whole."""
        raise NotImplementedError

    async def size(self, key: str) -> int | None:
        raise NotImplementedError

    def stream(self, key: str, start: int, end: int) -> AsyncIterator[bytes]:
        """Bytes [start, end) of an object, in chunks."""
        raise NotImplementedError

    async def list_dirs(self, prefix: str) -> list[str]:
        """The names one level below ``prefix`` (which ends with '/')."""
        raise NotImplementedError

    async def delete_prefix(self, prefix: str) -> None:
        raise NotImplementedError

    async def leftovers(self) -> list[tuple[str, str]]:
        """(key prefix, opaque handle) of interrupted writes: temporary folders, unfinished multipart uploads."""
        raise NotImplementedError

    async def drop_leftover(self, handle: str) -> None:
        raise NotImplementedError


async def _iterate_in_thread(iterator: Iterator[bytes]) -> AsyncIterator[bytes]:
    done = object()
    while True:
        chunk = await to_thread.run_sync(next, iterator, done)
        if chunk is done:
            return
        yield chunk


# ------------------------------------------------------------------------------------------------ local


class LocalBackend(Backend):
    """A directory. Writes land in ``.tmp/`` first and are renamed into place; pointers change under a lock."""

    def __init__(self, root: Path):
        self.root = Path(root).resolve()
        self.tmp = self.root / ".tmp"
        self.tmp.mkdir(parents=True, exist_ok=True)
        self.description = str(self.root)

    def path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root not in path.parents:
            raise ValueError(f"key {key!r} leaves the store's folder")
        return path

    async def read(self, key):
        def run():
            try:
                data = self.path(key).read_bytes()
            except FileNotFoundError:
                return None
            return data, hashlib.sha256(data).hexdigest()

        return await to_thread.run_sync(run)

    async def write_if(self, key, data, tag):
        def run():
            target = self.path(key)
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(self.root / ".lock", "a+b") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                try:
                    current = target.read_bytes()
                except FileNotFoundError:
                    current = None
                now = None if current is None else hashlib.sha256(current).hexdigest()
                if now != tag:
                    return False
                staged = self.tmp / f"pointer-{new_vid()}"
                staged.write_bytes(data)
                os.replace(staged, target)
                return True

        return await to_thread.run_sync(run)

    async def put_files(self, prefix, files):
        def run():
            target = self.path(prefix.rstrip("/"))
            staged = self.tmp / target.name
            staged.mkdir()
            try:
                for name, source in files.items():
                    with open(staged / name, "wb") as out:
                        shutil.copyfileobj(source, out, 1 << 20)
                target.parent.mkdir(parents=True, exist_ok=True)
                os.rename(staged, target)  # the version appears whole, or not at all
            except BaseException:
                shutil.rmtree(staged, ignore_errors=True)
                raise

        await to_thread.run_sync(run)

    async def size(self, key):
        try:
            path = self.path(key)
            return path.stat().st_size if path.is_file() else None
        except (FileNotFoundError, NotADirectoryError):
            return None

    async def stream(self, key, start, end):
        handle = await to_thread.run_sync(open, self.path(key), "rb")
        try:
            await to_thread.run_sync(handle.seek, start)
            left = end - start
            while left > 0:
                chunk = await to_thread.run_sync(handle.read, min(CHUNK, left))
                if not chunk:
                    raise OSError(errno.EIO, f"{key} ended {left} bytes early")
                left -= len(chunk)
                yield chunk
        finally:
            handle.close()

    async def list_dirs(self, prefix):
        def run():
            try:
                return sorted(p.name for p in self.path(prefix.rstrip("/")).iterdir() if not p.name.startswith("."))
            except (FileNotFoundError, NotADirectoryError):
                return []

        return await to_thread.run_sync(run)

    async def delete_prefix(self, prefix):
        await to_thread.run_sync(lambda: shutil.rmtree(self.path(prefix.rstrip("/")), ignore_errors=True))

    async def leftovers(self):
        return [(p.name, str(p)) for p in self.tmp.iterdir()]

    async def drop_leftover(self, handle):
        path = Path(handle)
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


# ------------------------------------------------------------------------------------------------ S3


def parse_s3_url(url: str) -> tuple[str, str]:
    """'s3://bucket/some/prefix' -> ('bucket', 'some/prefix/')."""
    if not url.startswith("s3://"):
        raise ValueError(f"expected an s3://bucket/prefix URL, got {url!r}")
    bucket, _, prefix = url[5:].partition("/")
    if not bucket:
        raise ValueError(f"the S3 URL {url!r} names no bucket")
    prefix = prefix.strip("/")
    return bucket, prefix + "/" if prefix else ""


class S3Backend(Backend):
    """An S3 bucket (AWS or any S3-compatible server). Pointers change with conditional PUTs (If-Match /
    If-None-Match); large files go up as multipart uploads with bounded part buffers."""

    PART = 8 * 1024 * 1024

    def __init__(self, url: str, endpoint_url: str | None = None, region: str | None = None, client=None):
        import boto3
        from boto3.s3.transfer import TransferConfig
        from botocore.config import Config

        self.bucket, self.prefix = parse_s3_url(url)
        self.conditional = True
        self.description = url + (f" at {endpoint_url}" if endpoint_url else "")
        self.client = client or boto3.client(
            "s3", endpoint_url=endpoint_url, region_name=region,
            config=Config(connect_timeout=5, read_timeout=30, retries={"max_attempts": 3, "mode": "standard"},
                          max_pool_connections=32))
        self.transfer = TransferConfig(multipart_threshold=self.PART, multipart_chunksize=self.PART,
                                       max_concurrency=4, use_threads=True)

    def key(self, key: str) -> str:
        return self.prefix + key

    @staticmethod
    def _code(error) -> str:
        return str(error.response.get("Error", {}).get("Code", "")) if hasattr(error, "response") else ""

    async def read(self, key):
        from botocore.exceptions import ClientError

        def run():
            try:
                response = self.client.get_object(Bucket=self.bucket, Key=self.key(key))
            except ClientError as e:
                if self._code(e) in ("NoSuchKey", "404", "NotFound"):
                    return None
                raise
            with response["Body"] as body:
                return body.read(), response["ETag"]

        return await to_thread.run_sync(run)

    async def write_if(self, key, data, tag):
        from botocore.exceptions import ClientError

        def run():
            condition = {"IfNoneMatch": "*"} if tag is None else {"IfMatch": tag}
            if not self.conditional:
                condition = {}
            try:
                self.client.put_object(Bucket=self.bucket, Key=self.key(key), Body=data,
                                       ContentType="application/json", **condition)
            except ClientError as e:
                if self._code(e) in ("PreconditionFailed", "412", "ConditionalRequestConflict", "409"):
                    return False
                if self._code(e) in ("NotImplemented", "501") and condition:
                    # A server without conditional writes: the last write wins (each version still whole).
                    log.warning("%s does not support conditional writes: concurrent writers of one model "
                                "race, the last one wins", self.description)
                    self.conditional = False
                    return run()
                raise
            return True

        return await to_thread.run_sync(run)

    async def put_files(self, prefix, files):
        def run():
            for name, source in files.items():
                self.client.upload_fileobj(source, self.bucket, self.key(prefix + name), Config=self.transfer)

        await to_thread.run_sync(run)

    async def size(self, key):
        from botocore.exceptions import ClientError

        def run():
            try:
                return self.client.head_object(Bucket=self.bucket, Key=self.key(key))["ContentLength"]
            except ClientError as e:
                if self._code(e) in ("NoSuchKey", "404", "NotFound"):
                    return None
                raise

        return await to_thread.run_sync(run)

    async def stream(self, key, start, end):
        if end <= start:
            return
        response = await to_thread.run_sync(lambda: self.client.get_object(
            Bucket=self.bucket, Key=self.key(key), Range=f"bytes={start}-{end - 1}"))
        body = response["Body"]
        try:
            left = end - start
            async for chunk in _iterate_in_thread(body.iter_chunks(CHUNK)):
                left -= len(chunk)
                yield chunk
            if left:
                raise OSError(errno.EIO, f"{key} ended {left} bytes early")
        finally:
            body.close()

    async def list_dirs(self, prefix):
        def run():
            # Objects, not common prefixes: some servers (SeaweedFS) keep listing a "folder" emptied by deletes.
            names = set()
            start = self.key(prefix)
            paginator = self.client.get_paginator("list_objects_v2")
            for page in paginator.paginate(Bucket=self.bucket, Prefix=start):
                for item in page.get("Contents", []):
                    head, slash, _ = item["Key"][len(start):].partition("/")
                    if slash:
                        names.add(head)
            return sorted(names)

        return await to_thread.run_sync(run)

    async def delete_prefix(self, prefix):
        def run():
            paginator = self.client.get_paginator("list_objects_v2")
            for page in paginator.paginate(Bucket=self.bucket, Prefix=self.key(prefix)):
                keys = [{"Key": item["Key"]} for item in page.get("Contents", [])]
                if keys:
                    self.client.delete_objects(Bucket=self.bucket, Delete={"Objects": keys, "Quiet": True})

        await to_thread.run_sync(run)

    async def leftovers(self):
        def run():
            out = []
            paginator = self.client.get_paginator("list_multipart_uploads")
            for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix):
                for upload in page.get("Uploads", []):
                    key = upload["Key"][len(self.prefix):]
                    out.append((key, f"{upload['Key']}\n{upload['UploadId']}"))
            return out

        return await to_thread.run_sync(run)

    async def drop_leftover(self, handle):
        key, upload_id = handle.split("\n")
        await to_thread.run_sync(lambda: self.client.abort_multipart_upload(
            Bucket=self.bucket, Key=key, UploadId=upload_id))


def backend_for(store: str | Path, endpoint_url: str | None = None, region: str | None = None) -> Backend:
    """The backend a ``--store`` value names: 's3://bucket/prefix' or a local folder."""
    text = str(store)
    if text.startswith("s3://"):
        return S3Backend(text, endpoint_url=endpoint_url, region=region)
    return LocalBackend(Path(text))

