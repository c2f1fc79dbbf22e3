"""A function's deployment package: taken from the request (inline ZipFile, or an S3 object
read with the caller's permissions), kept in Lambda's blob store, extracted once per
CodeSha256 under the data dir, and handed back through GetFunction's presigned Code.Location."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import os
import shutil
import stat
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from overcast.errors import AwsError
from overcast.services.awslambda.errors import InvalidParameterValueException, RequestTooLargeException
from overcast.services.s3.at_rest import load_service_key

UNZIPPED_LIMIT = 262144000  # 250 MB, AWS's quota on a function's unzipped code and layers
ZIPPED_LIMIT = 50 * 1024 * 1024  # 50 MB, a direct upload's limit
LOCATION_SECONDS = 600  # Code.Location stays valid 10 minutes, as AWS's does
KEY_FILE = "lambda-service.key"
DOWNLOAD_PREFIX = "/_overcast/lambda/code"


@dataclass(frozen=True)
class StoredCode:
    blob_id: str
    sha256: str  # base64 of the zip's SHA-256, as AWS answers CodeSha256
    size: int


def check_code_source(code: dict, *, operation: str) -> None:
    """The package's source: a ZipFile or an S3 location, not both, not an image."""
    has_zip = code.get("ZipFile") is not None
    has_s3 = any(code.get(k) is not None for k in ("S3Bucket", "S3Key", "S3ObjectVersion"))
    if code.get("ImageUri") is not None:
        raise InvalidParameterValueException(
            "Please don't provide ImageUri when updating a function with packageType Zip."
            if operation == "UpdateFunctionCode" else
            "Please don't provide ImageUri when creating a function with packageType Zip.")
    if has_zip and has_s3:
        raise InvalidParameterValueException("Please do not provide other FunctionCode parameters when providing "
                                             "a ZipFile.")
    if not has_zip and not has_s3:
        raise InvalidParameterValueException("Please provide a source for function code.")
    if has_s3 and (code.get("S3Bucket") is None or code.get("S3Key") is None):
        raise InvalidParameterValueException("Please provide both S3Bucket and S3Key.")


class CodeStore:
    def __init__(self, provider):
        self.provider = provider

    @property
    def blobs(self):
        return self.provider.cloud.storage.blobs("lambda")

    @property
    def root(self) -> Path:
        return Path(self.provider.cloud.storage.data_dir) / "lambda-code"

    async def take(self, ctx, code: dict, *, operation: str) -> StoredCode:
        """Store the package a request names (checked to be a zip Lambda can unpack)."""
        data = code.get("ZipFile")
        if data is None:
            data = await self._from_s3(ctx, code)
        if len(data) > ZIPPED_LIMIT and code.get("ZipFile") is not None:
            raise RequestTooLargeException(f"Request must be smaller than 69905067 bytes for the {operation} "
                                           "operation")
        await asyncio.to_thread(_check_zip, data)
        info = await self.blobs.write(bytes(data))
        return StoredCode(info.id, base64.b64encode(hashlib.sha256(data).digest()).decode(), len(data))

    async def _from_s3(self, ctx, code: dict) -> bytes:
        params = {"Bucket": code["S3Bucket"], "Key": code["S3Key"]}
        if code.get("S3ObjectVersion") is not None:
            params["VersionId"] = code["S3ObjectVersion"]
        try:
            result = await ctx.services.call("s3", "GetObject", params, authorize=True)
        except AwsError as e:
            raise InvalidParameterValueException(f"Error occurred while GetObject. S3 Error Code: {e.code}. "
                                                 f"S3 Error Message: {e.message}") from None
        body = result.get("Body")
        chunks = []
        try:
            async for chunk in body:
                chunks.append(chunk)
        finally:
            close = getattr(body, "aclose", None)
            if close is not None:
                await close()
        return b"".join(chunks)

    def directory(self, blob_id: str, sha256: str) -> Path:
        """The extracted package (extracted now when it is not yet)."""
        target = self.root / base64.b64decode(sha256).hex()
        if target.is_dir():
            return target
        self.root.mkdir(parents=True, exist_ok=True)
        temp = self.root / f".{target.name}.{os.getpid()}.{time.monotonic_ns()}"
        try:
            with zipfile.ZipFile(self.blobs.path(blob_id)) as zf:
                _extract(zf, temp)
            try:
                os.rename(temp, target)
            except OSError:  # another extraction of the same code won the race
                if not target.is_dir():
                    raise
        finally:
            shutil.rmtree(temp, ignore_errors=True)
        return target

    # -- GetFunction's Code.Location ----------------------------------------------------------

    def _key(self) -> bytes:
        return load_service_key(self.provider.cloud.storage.data_dir, KEY_FILE)

    def location(self, base_url: str, function_id: int, version: str, sha256: str) -> str:
        expires = int(self.provider.clock.now()) + LOCATION_SECONDS
        query = {"function": function_id, "version": version, "sha": sha256, "expires": expires}
        query["signature"] = self._sign(query)
        return f"{base_url}{DOWNLOAD_PREFIX}?{urlencode(query)}"

    def _sign(self, query: dict) -> str:
        text = f"{query['function']}\n{query['version']}\n{query['sha']}\n{query['expires']}"
        return hmac.new(self._key(), text.encode(), hashlib.sha256).hexdigest()

    def verified(self, query: dict) -> bool:
        try:
            expected = self._sign(query)
            expires = int(query["expires"])
        except (KeyError, ValueError):
            return False
        return hmac.compare_digest(expected, str(query.get("signature", ""))) and expires >= self.provider.clock.now()


def _check_zip(data: bytes) -> None:
    import io

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            total = sum(info.file_size for info in zf.infolist())
    except (zipfile.BadZipFile, ValueError, EOFError, NotImplementedError):
        raise InvalidParameterValueException("Could not unzip uploaded file. Please check your file, then try to "
                                             "upload again.") from None
    if total > UNZIPPED_LIMIT:
        raise InvalidParameterValueException(f"Unzipped size must be smaller than {UNZIPPED_LIMIT} bytes")


def _extract(zf: zipfile.ZipFile, target: Path) -> None:
    """Extract keeping each entry's Unix mode (a ``bootstrap`` must stay executable; zipfile
    drops modes)."""
    target.mkdir(parents=True)
    for info in zf.infolist():
        path = Path(zf.extract(info, target))
        mode = info.external_attr >> 16
        if not info.is_dir() and mode:
            os.chmod(path, stat.S_IMODE(mode) | stat.S_IRUSR)
