"""S3-compatible object storage (AWS S3, MinIO, Cloudflare R2…) through boto3.

boto3 is synchronous; each call runs in a worker thread so the event loop never blocks. A write
is one PUT when it fits in a part, else a multipart upload completed only after the last part:
until then the object does not exist, and a failure aborts the upload so no parts linger.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterable, AsyncIterator
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from raypx.storage.base import CHUNK_BYTES, ObjectMissing, check_key

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_s3.type_defs import CompletedPartTypeDef

# S3 requires at least 5 MiB for every part but the last; 8 MiB keeps memory per upload small.
PART_BYTES = 8 * 1024 * 1024
MISSING_CODES = {"NoSuchKey", "404", "NotFound"}


def make_client(
    *,
    endpoint_url: str | None,
    region: str | None,
    access_key_id: str | None,
    secret_access_key: str | None,
) -> S3Client:
    config = Config(
        # Path-style URLs work with MinIO, R2 and local servers, whose hosts have no bucket DNS.
        s3={"addressing_style": "path" if endpoint_url else "auto"},
        retries={"max_attempts": 5, "mode": "standard"},
        # Checksum trailers are AWS-only; several S3-compatible servers reject them.
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
    )
    client: S3Client = boto3.session.Session().client(
        "s3",
        endpoint_url=endpoint_url,
        region_name=region,
        aws_access_key_id=access_key_id,
        aws_secret_access_key=secret_access_key,
        config=config,
    )
    return client


def is_missing(exc: ClientError) -> bool:
    return str(exc.response.get("Error", {}).get("Code")) in MISSING_CODES


class S3Storage:
    def __init__(self, client: S3Client, bucket: str) -> None:
        self.client = client
        self.bucket = bucket

    async def put(
        self,
        key: str,
        chunks: AsyncIterable[bytes],
        *,
        content_type: str = "application/octet-stream",
    ) -> int:
        check_key(key)
        buffer = bytearray()
        parts: list[CompletedPartTypeDef] = []
        upload_id: str | None = None
        size = 0
        try:
            async for chunk in chunks:
                buffer += chunk
                size += len(chunk)
                while len(buffer) >= PART_BYTES:
                    if upload_id is None:
                        upload_id = await self._start_multipart(key, content_type)
                    part, buffer = bytes(buffer[:PART_BYTES]), buffer[PART_BYTES:]
                    parts.append(await self._upload_part(key, upload_id, len(parts) + 1, part))
            if upload_id is None:
                await asyncio.to_thread(
                    self.client.put_object,
                    Bucket=self.bucket, Key=key, Body=bytes(buffer), ContentType=content_type,
                )  # fmt: skip
                return size
            if buffer:
                parts.append(await self._upload_part(key, upload_id, len(parts) + 1, bytes(buffer)))
            await asyncio.to_thread(
                self.client.complete_multipart_upload,
                Bucket=self.bucket, Key=key, UploadId=upload_id, MultipartUpload={"Parts": parts},
            )  # fmt: skip
        except BaseException:
            if upload_id is not None:
                with contextlib.suppress(Exception):
                    await asyncio.to_thread(
                        self.client.abort_multipart_upload,
                        Bucket=self.bucket, Key=key, UploadId=upload_id,
                    )  # fmt: skip
            raise
        return size

    async def _start_multipart(self, key: str, content_type: str) -> str:
        response = await asyncio.to_thread(
            self.client.create_multipart_upload,
            Bucket=self.bucket, Key=key, ContentType=content_type,
        )  # fmt: skip
        return response["UploadId"]

    async def _upload_part(
        self, key: str, upload_id: str, number: int, data: bytes
    ) -> CompletedPartTypeDef:
        response = await asyncio.to_thread(
            self.client.upload_part,
            Bucket=self.bucket, Key=key, UploadId=upload_id, PartNumber=number, Body=data,
        )  # fmt: skip
        return {"ETag": response["ETag"], "PartNumber": number}

    async def get(self, key: str) -> AsyncIterator[bytes]:
        check_key(key)
        try:
            response = await asyncio.to_thread(self.client.get_object, Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if is_missing(exc):
                raise ObjectMissing(f"no stored object {key!r}") from None
            raise
        return self._read(response["Body"])

    async def _read(self, body: Any) -> AsyncIterator[bytes]:
        try:
            while chunk := await asyncio.to_thread(body.read, CHUNK_BYTES):
                yield chunk
        finally:
            body.close()

    async def delete(self, key: str) -> None:
        # DeleteObject succeeds for a missing key, so deleting twice is harmless.
        await asyncio.to_thread(self.client.delete_object, Bucket=self.bucket, Key=check_key(key))

    async def exists(self, key: str) -> bool:
        try:
            await asyncio.to_thread(self.client.head_object, Bucket=self.bucket, Key=check_key(key))
        except ClientError as exc:
            if is_missing(exc):
                return False
            raise
        return True
