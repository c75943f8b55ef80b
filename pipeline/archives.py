""".zip, .rar and .7z archives: their members listed safely, one member unpacked into a temp folder.

zipfile, rarfile (with the bsdtar or unrar backend) and py7zr read the three formats. Member names
of a zip written on Chinese Windows are GBK bytes without the UTF-8 flag (0x800): they are
decoded as UTF-8 where valid, else as GB18030. A member is refused with a one-line reason when
its name climbs out of the archive (`../`, an absolute path), when it is encrypted, or when it
would unpack to more than the size limits (a zip bomb); a whole archive is refused when it does
not open or would unpack to more than the total limit. Unpacking is capped while it runs, since
the sizes an archive declares can lie.
"""
from __future__ import annotations

import hashlib
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from pipeline import detect

MAX_MEMBER_BYTES = 512 * 2**20   # one member unpacked
MAX_TOTAL_BYTES = 2 * 2**30      # all members of one archive unpacked
MAX_RATIO = 200                  # unpacked / packed size above which a large member is a bomb
RATIO_FLOOR = 16 * 2**20         # members smaller than this are never refused for their ratio
MAX_MEMBERS = 10_000
CHUNK = 1 << 20


class ArchiveError(ValueError):
    """The archive or member cannot be unpacked; the message is the documents.csv error."""


@dataclass(frozen=True)
class Member:
    name: str          # decoded posix path inside the archive
    size: int          # declared unpacked size
    problem: str = ""  # why it is not unpacked ('' when it can be)


def members(path: Path, kind: str) -> list[Member]:
    """The files in the archive (folders left out), each with the reason it cannot be unpacked, if any."""
    try:
        entries = _entries(path, kind)
    except ArchiveError:
        raise
    except Exception as error:  # each library has its own errors for a broken archive
        raise ArchiveError(f"broken or truncated {kind} archive ({type(error).__name__}: {' '.join(str(error).split())[:120]})") from None
    if len(entries) > MAX_MEMBERS:
        raise ArchiveError(f"{kind} archive with {len(entries)} members (more than {MAX_MEMBERS}): not unpacked")
    total = sum(size for _, size, _, _ in entries)
    if total > MAX_TOTAL_BYTES:
        raise ArchiveError(f"{kind} archive would unpack to {total / 2**20:.0f} MB (limit {MAX_TOTAL_BYTES / 2**20:.0f} MB): "
                           "a zip bomb?")
    return [Member(name, size, _problem(name, size, packed, encrypted)) for name, size, packed, encrypted in entries]


def _problem(name: str, size: int, packed: int, encrypted: bool) -> str:
    if not safe_name(name):
        return f"archive member with an unsafe path ({name}): not unpacked"
    if encrypted:
        return "encrypted archive member: needs a password"
    if size > MAX_MEMBER_BYTES:
        return f"archive member would unpack to {size / 2**20:.0f} MB (limit {MAX_MEMBER_BYTES / 2**20:.0f} MB): a zip bomb?"
    if size > RATIO_FLOOR and size > MAX_RATIO * max(packed, 1):
        return f"archive member compressed {size // max(packed, 1)}:1 (limit {MAX_RATIO}:1): a zip bomb?"
    return ""


def safe_name(name: str) -> bool:
    """A relative path that stays inside the folder it is unpacked into."""
    pure = PurePosixPath(name.replace("\\", "/"))
    return bool(name) and not pure.is_absolute() and ".." not in pure.parts and ":" not in pure.parts[0]


def zip_name(info: zipfile.ZipInfo) -> str:
    """The member's real name (posix): zipfile decodes names without the UTF-8 flag as cp437; they are GBK in practice."""
    name = info.filename
    if not info.flag_bits & 0x800:
        raw = name.encode("cp437")
        for encoding in ("utf-8", "gb18030"):
            try:
                name = raw.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
    return name.replace("\\", "/")


def _entries(path: Path, kind: str) -> list[tuple[str, int, int, bool]]:
    """(name, unpacked size, packed size, encrypted) of each file in the archive."""
    if kind == detect.ZIP:
        with zipfile.ZipFile(path) as archive:
            return [(zip_name(i), i.file_size, i.compress_size, bool(i.flag_bits & 0x1))
                    for i in archive.infolist() if not i.is_dir()]
    if kind == detect.RAR:
        rarfile = _rarfile()
        with rarfile.RarFile(str(path)) as archive:
            if archive.needs_password() and not archive.infolist():
                raise ArchiveError("encrypted rar archive: needs a password")
            return [(i.filename, i.file_size, i.compress_size, bool(i.needs_password()))
                    for i in archive.infolist() if not i.is_dir()]
    if kind == detect.SEVEN_ZIP:
        import py7zr

        try:
            with py7zr.SevenZipFile(path) as archive:
                encrypted = archive.needs_password()
                files = [i for i in archive.list() if not i.is_directory]
                return [(i.filename, i.uncompressed, i.compressed or 0, encrypted) for i in files]
        except py7zr.exceptions.PasswordRequired:
            raise ArchiveError("encrypted 7z archive: needs a password") from None
    raise ArchiveError(f"not an archive ({kind})")


def _rarfile():
    import rarfile

    if not any(shutil.which(tool) for tool in ("unrar", "bsdtar", "unar", "7z")):
        raise ArchiveError("reading .rar needs bsdtar or unrar: install libarchive-tools (`make all` does)")
    return rarfile


def extract(path: Path, kind: str, name: str, folder: Path) -> Path:
    """Unpack member `name` (as listed by members()) to folder/<its file name>; return that path."""
    try:
        return _extract(path, kind, name, folder)
    except (ArchiveError, OSError):
        raise
    except Exception as error:  # a bad CRC, a truncated stream, a backend that gave up
        text = " ".join(str(error).split())[:120]
        raise ArchiveError(f"broken {kind} archive member {name} ({type(error).__name__}: {text})") from None


def _extract(path: Path, kind: str, name: str, folder: Path) -> Path:
    listed = {member.name: member for member in members(path, kind)}
    member = listed.get(name)
    if member is None:
        raise ArchiveError(f"no member {name} in the archive")
    if member.problem:
        raise ArchiveError(member.problem)
    target = folder / file_name(name)
    if kind == detect.SEVEN_ZIP:
        _extract_7z(path, name, target)
        return target
    with target.open("wb") as sink:
        if kind == detect.ZIP:
            with zipfile.ZipFile(path) as archive:
                info = next(i for i in archive.infolist() if not i.is_dir() and zip_name(i) == name)
                with archive.open(info) as source:
                    _copy_capped(source, sink)
        else:
            with _rarfile().RarFile(str(path)) as archive, archive.open(name) as source:
                _copy_capped(source, sink)
    return target


def file_name(name: str) -> str:
    """The member's own file name, safe to create: its last part, shortened when too long for the file system."""
    base = PurePosixPath(name).name or "member"
    if len(base.encode("utf-8")) > 200:
        suffix = PurePosixPath(base).suffix[:16]
        base = hashlib.sha1(base.encode("utf-8")).hexdigest()[:16] + suffix
    return base


def _extract_7z(path: Path, name: str, target: Path) -> None:
    import py7zr
    import py7zr.io

    class CappedFile(py7zr.io.Py7zIO):
        """py7zr's writer for one member: straight to the target file, refusing past the size limit."""

        def __init__(self) -> None:
            self.handle, self.written = target.open("wb"), 0

        def write(self, data) -> int:
            self.written += len(data)
            if self.written > MAX_MEMBER_BYTES:
                raise ArchiveError(f"archive member unpacks to more than {MAX_MEMBER_BYTES / 2**20:.0f} MB: a zip bomb?")
            return self.handle.write(data)

        def read(self, size=None) -> bytes:
            return b""

        def seek(self, offset: int, whence: int = 0) -> int:
            return self.handle.seek(offset, whence)

        def flush(self) -> None:
            self.handle.flush()

        def size(self) -> int:
            return self.written

    class OneFile(py7zr.io.WriterFactory):
        def __init__(self) -> None:
            self.product: CappedFile | None = None

        def create(self, filename: str) -> CappedFile:
            self.product = CappedFile()
            return self.product

    factory = OneFile()
    try:
        with py7zr.SevenZipFile(path) as archive:
            archive.extract(targets=[name], factory=factory)
    finally:
        if factory.product is not None:
            factory.product.handle.close()
    if factory.product is None:
        raise ArchiveError(f"7z member {name} could not be unpacked")


def _copy_capped(source, sink) -> None:
    written = 0
    while block := source.read(CHUNK):
        written += len(block)
        if written > MAX_MEMBER_BYTES:
            raise ArchiveError(f"archive member unpacks to more than {MAX_MEMBER_BYTES / 2**20:.0f} MB: a zip bomb?")
        sink.write(block)
