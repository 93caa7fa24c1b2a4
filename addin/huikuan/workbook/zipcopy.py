"""A zip package copied entry by entry: the user's entries as raw bytes, ours deflated.

`zipfile` can only copy an entry by inflating and deflating it again, which costs
time and yields other compressed bytes. Here an entry that is not ours is copied
as its stored bytes, with its compression method, flags, time stamp, attributes
and extra fields, in its original order; only the data-descriptor flag is dropped
(sizes and checksum are written in the local header instead). New entries are
deflated while they are written (a generator of chunks keeps memory flat) and
dated 1980-01-01, as Excel dates its own, so the same content gives the same bytes.

package.guard has checked the source (no encryption, sizes honest, at most
MAX_PARTS entries, 2 GiB in all), so no entry needs ZIP64.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Iterable
from typing import BinaryIO

_LOCAL = struct.Struct("<4s5H3L2H")  # signature … extra length: 30 bytes
_CENTRAL = struct.Struct("<4s6H3L5H2L")  # 46 bytes
_END = struct.Struct("<4s4H2LH")  # 22 bytes
_LIMIT = 0xFFFFFFFF
_DOS_1980 = (0, (0 << 9) | (1 << 5) | 1)  # 00:00:00, 1980-01-01
_DESCRIPTOR = 0x08


def _strip_zip64(extra: bytes) -> bytes:
    """Extra fields without a ZIP64 record (sizes are written in the headers)."""
    out = []
    pos = 0
    while pos + 4 <= len(extra):
        tag, size = struct.unpack_from("<HH", extra, pos)
        if tag != 0x0001:
            out.append(extra[pos : pos + 4 + size])
        pos += 4 + size
    out.append(extra[pos:])  # a malformed tail is kept as it was
    return b"".join(out)


def _dos_time(date_time: tuple[int, ...]) -> tuple[int, int]:
    year, month, day, hour, minute, second = date_time
    return (hour << 11) | (minute << 5) | (second // 2), ((year - 1980) << 9) | (month << 5) | day


class RawSource:
    """Reads an entry's stored (compressed) bytes and its local header name."""

    def __init__(self, file: BinaryIO) -> None:
        self.file = file

    def raw(self, info: zipfile.ZipInfo) -> tuple[bytes, bytes, bytes]:
        """(name bytes, local extra, stored data) of an entry."""
        self.file.seek(info.header_offset)
        head = self.file.read(_LOCAL.size)
        fields = _LOCAL.unpack(head)
        if fields[0] != b"PK\x03\x04":
            raise zipfile.BadZipFile(f"bad local header for {info.filename}")
        name_len, extra_len = fields[-2], fields[-1]
        name = self.file.read(name_len)
        extra = self.file.read(extra_len)
        data = self.file.read(info.compress_size)
        if len(data) != info.compress_size:
            raise zipfile.BadZipFile(f"{info.filename} is truncated")
        return name, extra, data


class ZipOut:
    """Writes a zip file sequentially: raw copies and deflated new entries."""

    def __init__(self, file: BinaryIO) -> None:
        self.file = file
        self._central: list[bytes] = []
        self.names: list[str] = []

    def _offset(self) -> int:
        offset = self.file.tell()
        if offset > _LIMIT:
            raise ValueError("the package would exceed 4 GiB")
        return offset

    def copy(self, info: zipfile.ZipInfo, source: RawSource) -> None:
        """The entry as stored in the source: same bytes, method and attributes."""
        name, local_extra, data = source.raw(info)
        flags = info.flag_bits & ~_DESCRIPTOR
        mtime, mdate = _dos_time(info.date_time)
        offset = self._offset()
        local_extra = _strip_zip64(local_extra)
        self.file.write(
            _LOCAL.pack(
                b"PK\x03\x04",
                info.extract_version,
                flags,
                info.compress_type,
                mtime,
                mdate,
                info.CRC,
                info.compress_size,
                info.file_size,
                len(name),
                len(local_extra),
            )
        )
        self.file.write(name)
        self.file.write(local_extra)
        self.file.write(data)
        extra = _strip_zip64(info.extra)
        comment = info.comment
        self._central.append(
            _CENTRAL.pack(
                b"PK\x01\x02",
                (info.create_system << 8) | info.create_version,
                info.extract_version,
                flags,
                info.compress_type,
                mtime,
                mdate,
                info.CRC,
                info.compress_size,
                info.file_size,
                len(name),
                len(extra),
                len(comment),
                0,
                info.internal_attr,
                info.external_attr,
                offset,
            )
            + name
            + extra
            + comment
        )
        self.names.append(info.filename)

    def write(self, name: str, chunks: bytes | Iterable[bytes], level: int = 6) -> None:
        """A new deflated entry; `chunks` may be a generator (written as it yields)."""
        encoded = name.encode("utf-8")
        flags = 0 if encoded.isascii() else 0x800
        offset = self._offset()
        header = bytearray(
            _LOCAL.pack(
                b"PK\x03\x04", 20, flags, zipfile.ZIP_DEFLATED, *_DOS_1980, 0, 0, 0, len(encoded), 0
            )
        )
        self.file.write(header)
        self.file.write(encoded)
        deflate = zlib.compressobj(level, zlib.DEFLATED, -15)
        crc = size = packed = 0
        for chunk in [chunks] if isinstance(chunks, bytes) else chunks:
            crc = zlib.crc32(chunk, crc)
            size += len(chunk)
            out = deflate.compress(chunk)
            packed += len(out)
            self.file.write(out)
        out = deflate.flush()
        packed += len(out)
        self.file.write(out)
        if size > _LIMIT or packed > _LIMIT:
            raise ValueError(f"{name} would exceed 4 GiB")
        end = self.file.tell()
        self.file.seek(offset + 14)
        self.file.write(struct.pack("<3L", crc, packed, size))
        self.file.seek(end)
        self._central.append(
            _CENTRAL.pack(
                b"PK\x01\x02",
                20,
                20,
                flags,
                zipfile.ZIP_DEFLATED,
                *_DOS_1980,
                crc,
                packed,
                size,
                len(encoded),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
            + encoded
        )
        self.names.append(name)

    def close(self, comment: bytes = b"") -> None:
        """The central directory and its end record."""
        start = self._offset()
        for record in self._central:
            self.file.write(record)
        size = self.file.tell() - start
        count = len(self._central)
        if count > 0xFFFF:
            raise ValueError("too many entries for a zip without ZIP64")
        self.file.write(
            _END.pack(b"PK\x05\x06", 0, 0, count, count, size, start, len(comment)) + comment
        )
