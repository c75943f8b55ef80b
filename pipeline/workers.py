"""Worker processes that read one file at a time, so a file that hangs or crashes its reader costs only its row.

A worker is a long-lived `python -m pipeline.workers` child talking length-prefixed pickles over
its stdin/stdout: the parent sends (item, settings), the child answers with the FileResult. The
child limits each file by CPU time (ITIMER_PROF), which counts the file's own work and not the
wait for a core; the parent adds a generous wall-clock cap and kills a worker that passes it
(a hang in C code) or notices one that died (a crash), then starts a fresh one. Plain
subprocesses, not multiprocessing, so the same worker runs under a Dask worker (a daemon process
multiprocessing would refuse to fork from).
"""
from __future__ import annotations

import os
import pickle
import select
import signal
import struct
import subprocess
import sys
import time
from pathlib import Path

HEADER = struct.Struct(">Q")
ROOT = Path(__file__).resolve().parent.parent


def wall_cap(settings) -> float:
    """Wall-clock seconds after which a worker is deemed hung: settings.wall_timeout, else twice the CPU limit plus a minute."""
    return settings.wall_timeout or 2 * settings.timeout + 60


class WorkerDied(Exception):
    """The worker process ended (a crash) or passed its wall-clock cap (a hang) while reading a file."""


class Worker:
    """One child process reading files sent to it, one at a time; restarted after a crash or hang."""

    def __init__(self) -> None:
        self.process: subprocess.Popen | None = None

    def _start(self) -> subprocess.Popen:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
        env.setdefault("TQDM_DISABLE", "1")  # the formula engine's progress bar, per spreadsheet, on the user's terminal
        return subprocess.Popen(
            [sys.executable, "-m", "pipeline.workers"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            env=env, start_new_session=True,  # Ctrl-C reaches the parent only; it stops the workers
        )

    def read(self, item, settings):
        """The worker's FileResult for item; raises WorkerDied on a crash or past the wall cap."""
        if self.process is None or self.process.poll() is not None:
            try:
                self.process = self._start()
            except OSError as error:  # no process to be had (fork refused, python not executable): this file's row says so
                self.process = None
                raise WorkerDied(f"could not be started: {error.strerror or error}") from None
        payload = pickle.dumps((item, settings))
        try:
            self.process.stdin.write(HEADER.pack(len(payload)) + payload)
            self.process.stdin.flush()
            deadline = time.monotonic() + wall_cap(settings)
            header = self._receive(HEADER.size, deadline)
            return pickle.loads(self._receive(HEADER.unpack(header)[0], deadline))
        except (OSError, EOFError, TimeoutError, pickle.UnpicklingError) as error:
            reason = self._stop(hung=isinstance(error, TimeoutError))
            raise WorkerDied(reason) from None

    def _receive(self, size: int, deadline: float) -> bytes:
        stream = self.process.stdout
        chunks, missing = [], size
        while missing:
            if not select.select([stream], [], [], max(0.0, deadline - time.monotonic()))[0]:
                raise TimeoutError
            chunk = os.read(stream.fileno(), missing)
            if not chunk:
                raise EOFError
            chunks.append(chunk)
            missing -= len(chunk)
        return b"".join(chunks)

    def _stop(self, hung: bool) -> str:
        process, self.process = self.process, None
        if process is None:  # closed meanwhile by the batch (Ctrl-C): the batch is over, nothing to stop
            return "stopped with the batch"
        if process.poll() is None:
            process.kill()
        code = process.wait()
        if hung:
            return "hung"
        if code < 0:
            return f"killed by {signal.Signals(-code).name}"
        return f"exited with code {code}"

    def close(self) -> None:
        if self.process is not None:
            if self.process.poll() is None:
                self.process.kill()
            self.process.wait()
            self.process = None


def _serve() -> None:
    """The child's loop: read (item, settings), answer its FileResult, until stdin closes."""
    requests, answers = sys.stdin.buffer, os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # a reader's stray print goes to stderr, never into the answers
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from pipeline.run import preload, read_with_limit

    preload()
    while header := requests.read(HEADER.size):
        item, settings = pickle.loads(requests.read(HEADER.unpack(header)[0]))
        payload = pickle.dumps(read_with_limit(item, settings))
        answers.write(HEADER.pack(len(payload)) + payload)
        answers.flush()


if __name__ == "__main__":
    _serve()
