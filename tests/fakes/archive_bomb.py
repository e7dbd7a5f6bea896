"""Hostile DOCX files: small on disk, enormous once inflated (made by streaming, never in RAM)."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    'package/2006/content-types"><Default Extension="rels" ContentType="application/'
    'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
    'ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType='
    '"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.'
    'org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats'
    '.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
    "</Relationships>"
)
HEAD = (
    b'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats'
    b'.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>'
)
TAIL = b"</w:t></w:r></w:p></w:body></w:document>"
MIB = 1024 * 1024


def docx_bomb(inflated_mib: int) -> bytes:
    """A valid DOCX whose word/document.xml is one paragraph of `inflated_mib` MiB."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", RELS)
        with archive.open("word/document.xml", "w") as member:
            member.write(HEAD)
            chunk = b"a" * MIB
            for _ in range(inflated_mib):
                member.write(chunk)
            member.write(TAIL)
    return buffer.getvalue()


def lying_docx_bomb(inflated_mib: int, declared: int = 1024) -> bytes:
    """The same bomb with word/document.xml declared as `declared` bytes in both headers, with
    the checksum of those first bytes: a reader that stops at the declared size sees a valid
    member, one that inflates the whole stream at once gets all of it."""
    data = bytearray(docx_bomb(inflated_mib))
    name = b"word/document.xml"
    crc = zlib.crc32(HEAD + b"a" * (declared - len(HEAD)))
    # (signature, offset of the name length, offset of the name, of the CRC, of the size)
    for signature, name_length_at, name_at, crc_at, size_at in (
        (b"PK\x03\x04", 26, 30, 14, 22),  # local file header
        (b"PK\x01\x02", 28, 46, 16, 24),  # central directory entry
    ):
        start = 0
        while (found := data.find(signature, start)) != -1:
            start = found + 4
            length = struct.unpack_from("<H", data, found + name_length_at)[0]
            if data[found + name_at : found + name_at + length] == name:
                struct.pack_into("<I", data, found + crc_at, crc)
                struct.pack_into("<I", data, found + size_at, declared)
    return bytes(data)
