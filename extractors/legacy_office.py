"""Word 97–2003 (.doc), WPS (.wps, .et) and RTF files → DOCX/XLSX with LibreOffice headless.

Each conversion is its own `soffice` process with its own profile folder, so parallel workers
never share (and lock) one profile; it runs in its own process group and is killed whole at the
time limit. Converted files are cached by the content hash of the source, so a re-run converts
nothing twice.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

DEFAULT_TIMEOUT = 120.0
INSTALL_HINT = "install LibreOffice (apt-get install libreoffice-writer-nogui libreoffice-calc-nogui, or `make all`)"
FILTERS = {"docx": "docx:MS Word 2007 XML", "xlsx": "xlsx:Calc MS Excel 2007 XML"}
# The name LibreOffice is given: WPS saves .wps/.et in the Word/Excel 97 compound format, while
# LibreOffice takes a `.wps` name for Microsoft Works.
SOURCE_SUFFIX = {"doc": "doc", "wps": "doc", "rtf": "rtf", "et": "xls"}


class ConversionError(ValueError):
    """The file could not be converted; the message is the documents.csv error."""


def cache_dir() -> Path:
    """Where converted files are kept: $JIXIAO_CACHE, else the user's cache folder."""
    base = os.environ.get("JIXIAO_CACHE") or os.path.join(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache", "jixiao")
    return Path(base) / "converted"


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert(path: Path, kind: str, target: str, timeout: float = DEFAULT_TIMEOUT) -> Path:
    """The file at path (of `kind`: doc, wps, et, rtf) converted to `target` (docx or xlsx), from the cache when there."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    cached = cache_dir() / f"{digest}.{target}"
    if cached.is_file():
        return cached
    program = soffice()
    if program is None:
        raise ConversionError(f"reading .{kind} files needs LibreOffice (soffice not found): {INSTALL_HINT}")
    with tempfile.TemporaryDirectory(prefix="jixiao-soffice-") as work:
        work_dir = Path(work)
        source = work_dir / f"input.{SOURCE_SUFFIX.get(kind, kind)}"
        shutil.copyfile(path, source)
        out_dir = work_dir / "out"
        command = [program, f"-env:UserInstallation={(work_dir / 'profile').as_uri()}", "--headless", "--norestore",
                   "--nologo", "--nodefault", "--convert-to", FILTERS[target], "--outdir", str(out_dir), str(source)]
        log = run_killing_group(command, timeout, kind)
        produced = out_dir / f"input.{target}"
        if not produced.is_file() or produced.stat().st_size == 0:
            raise ConversionError(f"LibreOffice could not convert this .{kind} file to .{target} ({log or 'no output'})")
        cached.parent.mkdir(parents=True, exist_ok=True)
        handle, partial = tempfile.mkstemp(dir=cached.parent, suffix=f".{target}.tmp")
        os.close(handle)
        shutil.copyfile(produced, partial)
        os.replace(partial, cached)
    return cached


def run_killing_group(command: list[str], timeout: float, kind: str) -> str:
    """Run command in a process group of its own; kill the whole group at the time limit or on any interruption."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                               start_new_session=True)
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(process)
        raise ConversionError(f"LibreOffice did not convert this .{kind} file within {timeout:.0f} s (killed)") from None
    except BaseException:  # the file's own time limit, or Ctrl-C: leave no soffice behind
        _kill_group(process)
        raise
    _kill_group(process)  # a helper soffice left running by the launcher script
    return " ".join(output.decode("utf-8", "replace").split())[-200:]


def _kill_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    process.wait()
