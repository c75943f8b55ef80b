"""What a batch reads: every file under the input folder as an InputItem, in a stable order.

An item is named by its path relative to the input folder (posix). The batch reads items, not
paths, so that a file inside an archive (`bundle.zip!附件/report.pdf`) or a file nobody means as
input (listed as skipped, with the reason) is one row of documents.csv like any other.

The folder is walked following symlinks once: a symlinked sub-folder is read, a link that leads
back into a folder being read or that points nowhere is a row with an error. Archives (.zip,
.rar, .7z, told by their bytes) are opened and each member is an item, archives inside an
archive one level deep. jixiao's own output folders (marked by OUTPUT_MARKER, or passed as
`exclude`) are never read. Names that are not UTF-8 (GBK bytes from a Chinese-Windows zip
unpacked on Linux) are decoded as GB18030 for source_path; the file on disk keeps its real name.
"""
from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Iterable, Iterator

from pipeline import archives, detect
from pipeline.cache import file_digest

OUTPUT_MARKER = ".jixiao-output"  # written by `jixiao run` into its output folder
IGNORED_NAMES = {".gitkeep", OUTPUT_MARKER}
JUNK_NAMES = {
    ".DS_Store": "macOS folder settings (.DS_Store), not a document",
    "Thumbs.db": "Windows thumbnail cache (Thumbs.db), not a document",
    "desktop.ini": "Windows folder settings (desktop.ini), not a document",
}
MEMBER_SEPARATOR = "!"


@dataclass(frozen=True)
class InputItem:
    source_path: str      # relative to the input folder, posix; an archive member as `a.zip!inner/x.pdf`
    path: Path            # the file on disk (the archive, for a member)
    member: str = ""      # the path inside the archive ('inner.zip!x.pdf' inside a nested archive); '' for a plain file
    skip_reason: str = ""  # set for a file nobody means as input: listed as skipped, never read
    error: str = ""       # set when the item cannot be read at all (dangling link, unsafe archive member): failed

    @property
    def name(self) -> str:
        """The file's own name as a person reads it (the member's, for an archive member)."""
        return PurePosixPath(self.source_path.rsplit(MEMBER_SEPARATOR, 1)[-1]).name


def list_inputs(input_dir: Path, exclude: Iterable[Path] = ()) -> list[InputItem]:
    """Every input under input_dir (recursively), sorted by source_path; folders in exclude are left out."""
    excluded = {os.path.realpath(p) for p in exclude}
    items = []
    for path, rel, error in walk(input_dir, excluded):
        source = readable_name(rel)
        if error:
            items.append(InputItem(source, path, error=error))
        elif reason := junk_reason(source):
            items.append(InputItem(source, path, skip_reason=reason))
        else:
            try:
                items.extend(expand(source, path))
            except Exception as error:  # listing never ends the batch: the file keeps its row
                text = " ".join(str(error).split())[:120]
                items.append(InputItem(source, path, error=f"could not be listed ({type(error).__name__}: {text})"))
    return sorted(items, key=lambda item: item.source_path)


def walk(root: Path, excluded: set[str]) -> Iterator[tuple[Path, str, str]]:
    """(path, relative posix path, error) of every file, following symlinks once.

    Sub-folders that are jixiao output (in excluded, or holding OUTPUT_MARKER) are passed over;
    the root is always read, as the user named it.
    """
    real_root = os.path.realpath(root)
    read_dirs = {real_root}

    def visit(folder: Path, rel: str, ancestors: tuple[str, ...]) -> Iterator[tuple[Path, str, str]]:
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as error:
            yield folder, rel or ".", f"folder not readable ({error.strerror or error})"
            return
        for entry in entries:
            path, child = Path(entry.path), f"{rel}/{entry.name}" if rel else entry.name
            if entry.name in IGNORED_NAMES:
                continue
            try:
                is_dir, is_file = entry.is_dir(), entry.is_file()
                if entry.is_symlink():
                    os.stat(path)  # follows the link: raises for a dangling link or a loop of links
            except FileNotFoundError:
                yield path, child, f"dangling symlink: its target {os.readlink(path)} does not exist"
                continue
            except OSError as error:
                yield path, child, f"symlink not followed ({error.strerror or error}: a loop of links?)"
                continue
            if is_dir:
                real = os.path.realpath(path)
                if real in excluded or os.path.exists(os.path.join(real, OUTPUT_MARKER)):  # False when the folder cannot be read
                    continue  # jixiao's own output is never input
                if real in ancestors:
                    yield path, child, f"symlink loop: {child} leads back to a folder that holds it"
                elif real in read_dirs:
                    yield path, child, f"symlink to a folder read already ({real}): not read twice"
                else:
                    read_dirs.add(real)
                    yield from visit(path, child, (*ancestors, real))
            elif is_file:
                yield path, child, ""
            else:
                yield path, child, "not a regular file (a pipe, socket or device): not read"

    yield from visit(root, "", (real_root,))


def is_utf8(text: str) -> bool:
    """False for a name holding bytes that are not UTF-8 (kept by Python as surrogate escapes)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def readable_name(rel: str) -> str:
    """A relative path as text: names that are not UTF-8 decoded as GB18030, else with U+FFFD."""
    if is_utf8(rel):
        return rel
    raw = os.fsencode(rel)
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError:
        return raw.decode("utf-8", errors="replace")


def junk_reason(source_path: str) -> str:
    """Why a file nobody means as input is skipped ('' for a real input)."""
    parts = PurePosixPath(source_path.replace(MEMBER_SEPARATOR, "/")).parts
    name = parts[-1] if parts else ""
    if "__MACOSX" in parts or name.startswith("._"):
        return "macOS resource fork (__MACOSX / ._ file), not a document"
    if name.startswith("~$"):
        return "Office lock file (~$), not a document"
    return JUNK_NAMES.get(name, "")


def expand(source: str, path: Path) -> list[InputItem]:
    """A plain file as one item; an archive as one item per member (or one failed item when it cannot be opened)."""
    try:
        kind = detect.sniff(path)
    except OSError:
        return [InputItem(source, path)]  # the worker reports why it cannot be read
    if kind not in detect.ARCHIVES:
        return [InputItem(source, path)]
    try:
        listed = archives.members(path, kind)
    except archives.ArchiveError as error:
        claimed = detect.claimed_kind(path)
        message = str(error)
        if kind == detect.ZIP and claimed in (detect.DOCX, detect.XLSX, detect.OFD):  # a damaged Office file is a damaged zip
            message = message.replace("zip archive", f"{claimed.upper()} (a zip)", 1)
        return [InputItem(source, path, error=message)]
    except OSError as error:
        return [InputItem(source, path, error=f"archive not readable ({error.strerror or error})")]
    if not listed:
        return [InputItem(source, path, skip_reason=f"empty {kind} archive")]
    items = []
    for member in listed:
        inner = f"{source}{MEMBER_SEPARATOR}{member.name}"
        if member.problem:
            items.append(InputItem(inner, path, member.name, error=member.problem))
        elif reason := junk_reason(member.name):
            items.append(InputItem(inner, path, member.name, skip_reason=reason))
        elif PurePosixPath(member.name).suffix.lower() in {".zip", ".rar", ".7z"}:
            items.extend(expand_nested(inner, path, kind, member.name))
        else:
            items.append(InputItem(inner, path, member.name))
    return items


def expand_nested(source: str, path: Path, kind: str, name: str) -> list[InputItem]:
    """The members of an archive inside an archive (one level deep: deeper archives are read as files)."""
    with tempfile.TemporaryDirectory(prefix="jixiao-list-") as folder:
        try:
            inner = archives.extract(path, kind, name, Path(folder))
            inner_kind = detect.sniff(inner)
            listed = archives.members(inner, inner_kind) if inner_kind in detect.ARCHIVES else None
        except (archives.ArchiveError, OSError) as error:
            return [InputItem(source, path, name, error=str(error))]
    if listed is None:
        return [InputItem(source, path, name)]  # not an archive after all: read as what it is
    items = []
    for member in listed:
        chain = f"{name}{MEMBER_SEPARATOR}{member.name}"
        inner_source = f"{source}{MEMBER_SEPARATOR}{member.name}"
        reason = junk_reason(member.name)
        items.append(InputItem(inner_source, path, chain, skip_reason="" if member.problem else reason,
                               error=member.problem))
    return items or [InputItem(source, path, name, skip_reason=f"empty {inner_kind} archive")]


def digest_of(item: InputItem) -> str:
    """SHA-256 of the item's bytes; '' where there are none to read (junk left unread, a dangling
    link, a member that cannot be unpacked). A file that cannot be listed (a broken archive or
    Office zip) still has its bytes: its copies are duplicates like any other's."""
    if item.skip_reason:
        return ""
    try:
        if item.error:
            return "" if item.member else file_digest(item.path)
        with local_file(item) as path:
            return file_digest(path)
    except (OSError, archives.ArchiveError):
        return ""


@contextmanager
def local_file(item: InputItem) -> Iterator[Path]:
    """A path on disk holding the item's bytes, for as long as the block runs.

    An archive member is unpacked into a temp folder (never next to the input); a plain file whose
    name is not UTF-8 is reached through a link with its decoded name, since some readers
    (PDFium) take paths as UTF-8 only.
    """
    if item.error:
        raise archives.ArchiveError(item.error)
    if not item.member and is_utf8(str(item.path)):
        yield item.path
        return
    with tempfile.TemporaryDirectory(prefix="jixiao-item-") as folder:
        if not item.member:
            link = Path(folder) / readable_name(item.path.name)
            link.symlink_to(item.path.resolve())
            yield link
            return
        outer, *rest = item.member.split(MEMBER_SEPARATOR, 1)
        path = archives.extract(item.path, detect.sniff(item.path), outer, Path(folder))
        if rest:
            nested = Path(folder) / "nested"
            nested.mkdir()
            path = archives.extract(path, detect.sniff(path), rest[0], nested)
        yield path
