"""The storage backend the settings choose, one instance per Settings object."""

from __future__ import annotations

from raypx.errors import ConfigurationError
from raypx.settings import Settings
from raypx.storage.base import Storage
from raypx.storage.local import LocalStorage
from raypx.storage.s3 import S3Storage, make_client

# The Settings object is kept with its storage so its id cannot be reused by another one.
_by_settings: dict[int, tuple[Settings, Storage]] = {}


def build_storage(settings: Settings) -> Storage:
    if settings.storage_backend == "local":
        return LocalStorage(settings.storage_path or settings.home / "storage")
    if not settings.s3_bucket:
        raise ConfigurationError("RAYPX_STORAGE_BACKEND=s3 needs RAYPX_S3_BUCKET")
    key_id, secret = settings.s3_access_key_id, settings.s3_secret_access_key
    if (key_id is None) != (secret is None):
        raise ConfigurationError(
            "set both RAYPX_S3_ACCESS_KEY_ID and RAYPX_S3_SECRET_ACCESS_KEY, or neither"
        )
    client = make_client(
        endpoint_url=settings.s3_endpoint_url,
        region=settings.s3_region,
        access_key_id=key_id.get_secret_value() if key_id else None,
        secret_access_key=secret.get_secret_value() if secret else None,
    )
    return S3Storage(client, settings.s3_bucket)


def storage_for(settings: Settings) -> Storage:
    """Cached like the AI runtime, so a process keeps one S3 client and its connection pool."""
    key = id(settings)
    if key not in _by_settings:
        _by_settings[key] = (settings, build_storage(settings))
    return _by_settings[key][1]
