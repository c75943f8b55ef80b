"""The same per-file work on a Dask distributed cluster (`--dask-scheduler tcp://HOST:PORT`).

Each file is one task. On the worker, the task hands the file to a jixiao worker process of its
own (pipeline/workers.py), so the per-file CPU-time limit, the wall-clock cap and the isolation of
a crashing reader are the same as on one machine. Input files and the output folder (page
images) must be on a filesystem every worker sees under the same path; the results come back to
the client, which caches and writes them.
"""
from __future__ import annotations

import threading
import uuid
from typing import Iterator

from pipeline.inputs import InputItem
from pipeline.run import FileResult, Settings, describe, failed

_local = threading.local()


def read_on_worker(item: InputItem, settings: Settings) -> FileResult:
    """Runs on a Dask worker: read one file in this worker thread's own jixiao worker process."""
    from pipeline.batch import read_in
    from pipeline.workers import Worker

    if not hasattr(_local, "worker"):
        _local.worker = Worker()
    return read_in(_local.worker, item, settings)


def read_on_cluster(tasks: list[tuple[int, InputItem]], settings: Settings, address: str) -> Iterator[tuple[int, FileResult]]:
    """Submit every task to the cluster at address; yields (index, result) as each file ends."""
    from distributed import Client, as_completed

    run = uuid.uuid4().hex[:8]
    with Client(address, set_as_default=False) as client:
        futures = {client.submit(read_on_worker, item, settings, key=f"jixiao-{run}-{index}", pure=False): (index, item)
                   for index, item in tasks}
        for future in as_completed(futures, loop=client.loop):
            index, item = futures.pop(future)
            try:
                result = future.result()
            except Exception as error:  # the Dask worker itself was lost (tried on others first)
                result = failed(item, f"Dask worker lost while reading the file: {describe(error)}", transient=True)
            future.release()
            yield index, result
