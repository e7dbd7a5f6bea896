"""A multipart/form-data upload read as it arrives, so limits hold before the body is buffered.

Starlette's form parser spools the whole body before a handler runs; this one feeds
python-multipart chunk by chunk and hands the `file` part's bytes on at once, so an oversized
upload is refused after `limit` bytes, not after it was all received.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING
from urllib.parse import unquote_to_bytes

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from raypx.errors import Invalid, RaypxError

if TYPE_CHECKING:
    from python_multipart.multipart import MultipartCallbacks

FILE_FIELD = "file"
MAX_FIELD_BYTES = 4096  # `title` and any other text field
# Headers, boundaries and small fields around the file part.
ENVELOPE_BYTES = 64 * 1024


class FileTooLarge(RaypxError):
    status_code = 413
    default_code = "FILE_TOO_LARGE"


# RFC 5987 `filename*=charset'language'percent-encoded`. RFC 7578 tells clients not to send it,
# but some do, and RFC 6266 makes it win over the plain `filename` when both are given.
EXTENDED_FILENAME = re.compile(r";\s*filename\*\s*=\s*\"?([^;\"]*)", re.IGNORECASE)


def header_text(raw: bytes) -> str:
    """Browsers send names as raw UTF-8; an old client's Latin-1 bytes still read as intended."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def extended_filename(disposition: bytes) -> str | None:
    found = EXTENDED_FILENAME.search(disposition.decode("latin-1"))
    if found is None or found.group(1).count("'") < 2:
        return None
    charset, _, encoded = found.group(1).split("'", 2)
    try:
        return unquote_to_bytes(encoded).decode(charset or "utf-8")
    except (LookupError, UnicodeDecodeError):
        return None  # an unknown charset or bytes that are not in it: use `filename`


def parse_disposition(disposition: bytes) -> tuple[str, str | None]:
    """The part's field name and file name, exactly as the client wrote them.

    Parsed from the raw bytes: python-multipart maps them one to one onto Latin-1, so its
    parameter values come back as the bytes that were sent, UTF-8 or not.
    """
    _, options = parse_options_header(disposition)
    name = header_text(options.get(b"name", b""))
    plain = options.get(b"filename")
    filename = extended_filename(disposition) if b"*" in disposition else None
    if filename is None and plain is not None:
        filename = header_text(plain)
    return name, filename


def too_large(limit: int) -> FileTooLarge:
    return FileTooLarge(f"the file is larger than the {limit} bytes your plan allows", limit=limit)


class MultipartUpload:
    """One request body; iterate `file_chunks(limit)` once, then read `filename` and `fields`."""

    def __init__(
        self, body: AsyncIterator[bytes], content_type: str, content_length: str | None
    ) -> None:
        kind, options = parse_options_header(content_type)
        boundary = options.get(b"boundary")
        if kind != b"multipart/form-data" or not boundary:
            raise Invalid(
                "send the file as multipart/form-data with a `file` field", code="NOT_MULTIPART"
            )
        self.body = body
        self.boundary = boundary
        declared = content_length or ""
        self.content_length = int(declared) if declared.isdigit() else None
        self.filename: str | None = None
        self.declared_type: str | None = None
        self.fields: dict[str, str] = {}
        self._headers: dict[str, bytes] = {}
        self._header = (bytearray(), bytearray())
        self._in_file = False
        self._target: str | None = None  # the text field being read, if any
        self._pending: list[bytes] = []
        self._field_bytes = bytearray()
        self._file_state = "absent"  # absent → open → done

    def _callbacks(self) -> MultipartCallbacks:
        def on_part_begin() -> None:
            self._headers = {}
            self._target, self._in_file = None, False

        def on_header_field(data: bytes, start: int, end: int) -> None:
            self._header[0].extend(data[start:end])

        def on_header_value(data: bytes, start: int, end: int) -> None:
            self._header[1].extend(data[start:end])

        def on_header_end() -> None:
            name, value = self._header
            self._headers[name.decode("latin-1").lower()] = bytes(value)
            name.clear()
            value.clear()

        def on_headers_finished() -> None:
            name, filename = parse_disposition(self._headers.get("content-disposition", b""))
            if name == FILE_FIELD and filename is not None and self._file_state == "absent":
                self._in_file, self._file_state = True, "open"
                self.filename = filename
                declared = self._headers.get("content-type")
                self.declared_type = None if declared is None else header_text(declared)
            elif filename is None and name and name not in self.fields:
                self._target = name
                self._field_bytes = bytearray()

        def on_part_data(data: bytes, start: int, end: int) -> None:
            if self._in_file:
                self._pending.append(bytes(data[start:end]))
            elif self._target is not None:
                self._field_bytes.extend(data[start:end])
                if len(self._field_bytes) > MAX_FIELD_BYTES:
                    raise Invalid(f"form field {self._target!r} is too long", code="FIELD_TOO_LONG")

        def on_part_end() -> None:
            if self._in_file:
                self._file_state = "done"
            elif self._target is not None:
                self.fields[self._target] = self._field_bytes.decode("utf-8", "replace")
            self._target, self._in_file = None, False

        return {
            "on_part_begin": on_part_begin, "on_header_field": on_header_field,
            "on_header_value": on_header_value, "on_header_end": on_header_end,
            "on_headers_finished": on_headers_finished, "on_part_data": on_part_data,
            "on_part_end": on_part_end,
        }  # fmt: skip

    async def file_chunks(self, limit: int) -> AsyncIterator[bytes]:
        """The file's bytes as they arrive; FileTooLarge as soon as more than `limit` came."""
        max_body = limit + ENVELOPE_BYTES
        # A declared length already over the limit is refused before reading anything.
        if self.content_length is not None and self.content_length > max_body:
            raise too_large(limit)
        parser = MultipartParser(self.boundary, self._callbacks())
        received = size = 0
        async for chunk in self.body:
            received += len(chunk)
            if received > max_body:
                raise too_large(limit)
            try:
                parser.write(chunk)
            except MultipartParseError as exc:
                raise Invalid(f"malformed multipart body: {exc}", code="BAD_MULTIPART") from None
            for piece in self._pending:
                size += len(piece)
                if size > limit:
                    raise too_large(limit)
                yield piece
            self._pending.clear()
        parser.finalize()
        if self._file_state != "done":
            message = "the upload ended early" if self._file_state == "open" else "no `file` part"
            raise Invalid(f"{message}: send the file in a `file` field", code="FILE_REQUIRED")
