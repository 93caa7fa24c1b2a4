"""Writing files safely: the one atomic write, the one overwrite refusal, the one
extension check, and file-system errors told in the user's words.

Every command that writes a file (workbook, calendar, email, add-in) goes through
`write_atomic`: a temporary file in the target's folder, flushed and fsynced,
renamed over the target in one step with the target's permissions kept (or the
umask's for a new file). A failure leaves the target as it was and names the
user's path, never the temporary one.
"""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from .errors import Unusable

Fill = Callable[[BinaryIO], None]

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def refuse_overwrite(path: Path, force: bool) -> None:
    """Unusable when `path` exists and `force` was not given."""
    if path.exists() and not force:
        raise Unusable(
            f"{path.name} exists; not overwritten (use --force to replace it)",
            f"{path.name} 已存在，未覆盖（如需替换请加 --force）",
        )


def require_suffix(path: Path, allowed: tuple[str, ...]) -> None:
    """Unusable unless `path` ends in one of `allowed` (".xlsx", ...), case-insensitively."""
    if path.suffix.lower() not in allowed:
        listed = " / ".join(allowed)
        raise Unusable(
            f"{path.name}: the file name must end in {listed}",
            f"{path.name}：文件名须以 {listed} 结尾",
        )


def os_error(exc: OSError, path: Path) -> Unusable:
    """A file-system error as a bilingual message naming `path` (the user's) and what to do."""
    code = exc.errno
    name = str(path)
    if code in (errno.EACCES, errno.EPERM):
        return Unusable(
            f"{name}: permission denied; close the file in Excel or WPS, or choose a folder "
            "you may write to",
            f"{name}：没有权限；请在 Excel 或 WPS 中关闭该文件，或换一个可写入的文件夹",
        )
    if code == errno.ENOENT:
        return Unusable(
            f"{name}: the folder does not exist; create it or choose another",
            f"{name}：文件夹不存在；请先创建或换一个文件夹",
        )
    if code == errno.ENOSPC:
        return Unusable(
            f"{name}: the disk is full; free some space and run again",
            f"{name}：磁盘已满；请清理空间后重试",
        )
    if code == errno.EROFS:
        return Unusable(
            f"{name}: the disk is read-only; choose another folder",
            f"{name}：磁盘只读；请换一个文件夹",
        )
    if code == errno.EISDIR:
        return Unusable(f"{name}: is a folder", f"{name}：是文件夹")
    reason = exc.strerror or type(exc).__name__
    return Unusable(
        f"{name}: cannot be written ({reason}); nothing was changed",
        f"{name}：无法写入（{reason}），未做任何更改",
    )


@contextmanager
def told(path: Path) -> Iterator[None]:
    """Turn an OSError inside the block into Unusable naming `path`."""
    try:
        yield
    except OSError as exc:
        raise os_error(exc, path) from None


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return  # Windows: folders cannot be opened; the rename is durable enough there
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_atomic(dest: Path, fill: Fill | bytes) -> Path:
    """Write `dest` in one step: a temp file beside it, fsync, rename, mode kept.

    `fill` writes into the open temp file (or is the bytes to write). On any
    failure the temp file is removed, `dest` is as it was, and an OSError
    becomes Unusable naming `dest`. Returns `dest`.
    """
    target = dest.resolve()
    if target.is_dir():
        raise Unusable(f"{dest}: is a folder", f"{dest}：是文件夹")
    with told(dest):
        mode = target.stat().st_mode & 0o7777 if target.exists() else 0o666 & ~_umask()
        if target.exists() and not mode & 0o222:
            # read-only (Windows' attribute, chmod a-w): renaming over it would succeed
            # wherever the folder is writable, and for root always; the user said no
            raise Unusable(
                f"{dest}: the file is read-only; make it writable, or write a copy with -o",
                f"{dest}：文件为只读；请先取消只读，或用 -o 写入另一个文件",
            )
        fd, name = tempfile.mkstemp(
            prefix=f".{target.stem}.", suffix=target.suffix, dir=target.parent
        )
        tmp = Path(name)
        try:
            with os.fdopen(fd, "w+b") as f:
                if isinstance(fill, bytes | bytearray):
                    f.write(fill)
                else:
                    fill(f)
                f.flush()
                os.fsync(f.fileno())
            os.chmod(tmp, mode)
            os.replace(tmp, target)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    _fsync_dir(target.parent)
    return dest
