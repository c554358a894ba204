"""Writing files atomically: the file appears complete, or not at all.

A failed or interrupted write leaves an existing file byte-for-byte as it was and no
temporary file behind. The new file gets the permissions a plain ``open(path, "w")``
would give it (mkstemp's are owner-only); a file that existed keeps its permissions and,
where the OS lets us, its owner. A symbolic link stays a link: its target is replaced.

Edits of a user's file in place go through :func:`editing`: while it is held, no other
crm_xl process edits the same file (an advisory lock), and the save is refused if the file
changed on disk since it was read (another program saved it), so nobody's changes are lost
silently.

A temporary file is named after its target and the process writing it
(``.book.xlsx.crm1234-….xlsx``): if that process was killed outright (SIGKILL, a power cut),
the next write to the same file removes the orphan.

Example::

    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "out.txt"
    >>> with atomic_path(target) as tmp:
    ...     _ = tmp.write_text("done")
    >>> target.read_text()
    'done'
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from crm_xl.errors import CrmError
from crm_xl.files.lock import check_not_open_for_replacing

try:  # an advisory lock between crm_xl processes; Windows has no fcntl (the stamp remains)
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]


@dataclass(frozen=True)
class FileStamp:
    """What identifies one version of a file on disk: same stamp, same bytes (in practice).

    An atomic save by any program gives the file a new inode; an in-place write changes its
    modification time or size.
    """

    device: int
    inode: int
    size: int
    mtime_ns: int

    @classmethod
    def of(cls, path: Path) -> FileStamp:
        """The stamp of the file at ``path`` now."""
        st = path.stat()
        return cls(st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


class _Held:
    """A file being edited in place: its stamp when read, and the locked descriptor."""

    def __init__(self, target: Path, shown: str) -> None:
        self.target, self.shown = target, shown
        self.file = self._lock(open(target, "rb"))  # noqa: SIM115 (held until the edit ends)
        self.stamp = FileStamp.of(target)

    def _lock(self, file):  # type: ignore[no-untyped-def]
        if fcntl is not None:
            try:
                fcntl.flock(file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                file.close()
                raise CrmError(
                    "another crm-xl command is changing this file right now: "
                    "wait for it to finish, then run this one again",
                    self.shown,
                ) from None
        return file

    def saved(self) -> None:
        """Our own save replaced the file: hold the new one (and its stamp) from now on."""
        old, self.stamp = self.file, FileStamp.of(self.target)
        try:
            self.file = self._lock(open(self.target, "rb"))  # noqa: SIM115
        except (OSError, CrmError):  # pragma: no cover - someone else took the new file
            return
        old.close()

    def close(self) -> None:
        self.file.close()  # closing the descriptor releases the lock


# files being edited in place by this process, by their real path
_EDITING: dict[Path, _Held] = {}


def real_path(path: str | Path) -> Path:
    """``path`` with its symbolic links followed: where a write must really go.

    Example::

        >>> real_path("/") == Path("/")
        True
    """
    return Path(os.path.realpath(path))


@contextlib.contextmanager
def editing(path: str | Path) -> Iterator[FileStamp | None]:
    """Hold ``path`` for an edit in place: an atomic save during the edit is refused if the
    file changed on disk since the edit began (other than by this edit's own saves), and a
    second crm_xl process editing the same file at the same time is refused at once (one
    of the two edits would be lost). Re-entrant within a process. What is not a regular file
    (missing, a folder, a pipe) is not held: the command's reader refuses it with its reason.

    Example::

        >>> import tempfile, pathlib
        >>> book = pathlib.Path(tempfile.mkdtemp()) / "book.txt"
        >>> _ = book.write_text("v1")
        >>> with editing(book):
        ...     with atomic_path(book) as tmp:
        ...         _ = tmp.write_text("v2")
        >>> book.read_text()
        'v2'
    """
    target = real_path(path)
    if not target.is_file():
        yield None
        return
    if target in _EDITING:  # an edit within an edit of the same file (new-period's recalc)
        yield _EDITING[target].stamp
        return
    held = _Held(target, str(path))
    _EDITING[target] = held
    try:
        yield held.stamp
    finally:
        del _EDITING[target]
        held.close()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _temp_prefix(target: Path, pid: int | str) -> str:
    return f".{target.name}.crm{pid}-"


def _remove_orphans(target: Path) -> None:
    """Remove temporary files of ``target`` left by crm_xl processes that no longer run."""
    pattern = re.compile(re.escape(f".{target.name}.crm") + r"(\d+)-")
    with contextlib.suppress(OSError):
        for entry in os.scandir(target.parent):
            match = pattern.match(entry.name)
            if not match or not entry.is_file(follow_symlinks=False):
                continue
            pid = int(match.group(1))
            if pid == os.getpid():
                continue
            try:
                os.kill(pid, 0)
            except ProcessLookupError:  # the writer is gone: its temp file is an orphan
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)
            except OSError:  # alive under another user, or unknowable: leave it
                pass


def _refuse_if_changed(target: Path) -> None:
    held = _EDITING.get(target)
    if held is None:
        return
    try:
        now = FileStamp.of(target)
    except FileNotFoundError:
        now = None
    if now != held.stamp:
        raise CrmError(
            "the file changed on disk while crm-xl was working on it (another program or "
            "command saved it): nothing was written, so those changes are kept; run this again",
            str(target),
        )


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; on success it replaces ``path``.

    Through a symbolic link the link's target is replaced (the link stays a link); an
    existing file keeps its permissions and owner; a file held by :func:`editing` is only
    replaced if it did not change on disk in the meantime; any other file Excel has open
    (its ``~$`` lock file is beside it) is not replaced.
    """
    path = Path(path)
    target = real_path(path) if path.is_symlink() else path.absolute()
    if real_path(target) not in _EDITING:  # an edit in place checked the lock when it began
        check_not_open_for_replacing(target)
    if target.is_dir():
        raise CrmError("is a folder: give a file name to write", str(path))
    if target.exists() and not target.is_file():  # a device or a pipe is never replaced
        raise CrmError("is not a regular file (a device or a pipe): write to a file", str(path))
    if not target.parent.is_dir():
        raise CrmError(f"folder {target.parent} does not exist: create it first", str(path))
    _remove_orphans(target)
    try:
        fd, name = tempfile.mkstemp(
            prefix=_temp_prefix(target, os.getpid()), suffix=target.suffix, dir=target.parent
        )
    except OSError as err:
        raise _cannot_write(err, path) from None
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        if target.exists():
            st = target.stat()
            os.chmod(tmp, st.st_mode & 0o7777)
            if hasattr(os, "chown") and (st.st_uid, st.st_gid) != (os.geteuid(), os.getegid()):
                # root editing another user's workbook leaves it theirs
                with contextlib.suppress(OSError):
                    os.chown(tmp, st.st_uid, st.st_gid)
        else:
            os.chmod(tmp, 0o666 & ~_umask())
        real = real_path(target)
        _refuse_if_changed(real)
        try:
            os.replace(tmp, target)
        except PermissionError:  # Windows: another program holds the file open
            raise CrmError(
                "cannot replace the file: another program (Excel?) has it open, or it is "
                "read-only; close it there, then run again (nothing was written)",
                str(path),
            ) from None
    except OSError as err:
        tmp.unlink(missing_ok=True)
        if err.filename not in (None, str(tmp), str(target)) and err.errno not in _FULL:
            raise  # not the write's own failure (an input read inside the block)
        raise _cannot_write(err, path) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if real in _EDITING:
        _EDITING[real].saved()
    _sync_folder(target.parent)


_FULL = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC), errno.EFBIG}


def _cannot_write(err: OSError, path: Path) -> CrmError:
    """The one-line reason a write failed, and what to do."""
    folder = Path(path).absolute().parent
    reasons = {
        errno.EACCES: f"no permission to write in {folder}: choose another folder",
        errno.EPERM: f"no permission to write in {folder}: choose another folder",
        errno.EROFS: f"{folder} is on a read-only disk: choose another folder",
        errno.ENOENT: f"folder {folder} does not exist: create it first",
    }
    reason = reasons.get(err.errno or 0)
    if reason is None and err.errno in _FULL:
        reason = "the disk is full (nothing was written): free some space and run again"
    return CrmError(reason or f"cannot write here: {err.strerror or err}", str(path))


def _sync_folder(folder: Path) -> None:
    """Make the rename durable where the OS allows it (a folder's entries are synced
    through a descriptor of the folder; Windows has none to give)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
