"""The batch: every input of a folder → its documents row (and rows), read once, in workers, streamed to disk.

1. List the inputs (never the output folder) and hash each file: the same bytes under two names
   are read once; each further copy is a `duplicate` row naming the file it repeats.
2. Look each file's result up in the cache (pipeline/cache.py); read the rest in worker
   processes (pipeline/workers.py), or on a Dask cluster (pipeline/dask_backend.py). As each
   result arrives its names are matched, its region resolved, its flags reconciled (per
   document), and it is stored at once: a batch killed half-way keeps what it finished.
3. Assemble the four tables from the stored results, one document at a time, into the staged set.
"""
from __future__ import annotations

import importlib
import os
import queue
import threading
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

from pipeline.cache import ResultCache, result_key
from pipeline.inputs import InputItem, digest_of, list_inputs
from pipeline.run import FileResult, Settings, failed
from pipeline.workers import Worker, WorkerDied, wall_cap

Progress = Callable[[InputItem, FileResult], None]


def cpu_count() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def batch_inputs(input_dir: Path, out_dir: Path | None = None) -> list[InputItem]:
    """The inputs under input_dir (absolute paths, as a worker elsewhere needs), without anything under the output folder."""
    return list_inputs(input_dir.absolute(), exclude=[out_dir] if out_dir is not None else [])


@dataclass
class Plan:
    """Which inputs to read and which repeat another's bytes."""

    items: list[InputItem]
    digests: list[str] = field(default_factory=list)       # '' for a file that cannot be hashed or is skipped
    duplicate_of: dict[int, int] = field(default_factory=dict)  # copy's index → the first index with its bytes

    @classmethod
    def of(cls, items: list[InputItem]) -> "Plan":
        plan = cls(items)
        first: dict[str, int] = {}
        for index, item in enumerate(items):
            digest = digest_of(item)  # '' when unreadable: its reader says why in its row
            plan.digests.append(digest)
            if digest and digest in first:
                plan.duplicate_of[index] = first[digest]
            elif digest:
                first[digest] = index
        return plan

    def to_read(self) -> list[int]:
        return [index for index in range(len(self.items)) if index not in self.duplicate_of]


class Gazetteers:
    """The name taxonomy and the region gazetteer, loaded once in the parent while workers read files."""

    def __init__(self, taxonomy: Path | None = None) -> None:
        self._taxonomy = taxonomy
        self._thread = threading.Thread(target=self._load, daemon=True)
        self._thread.start()

    def _load(self) -> None:
        from normalizers.names import NameMatcher
        from normalizers.region import find_region

        self.matcher = NameMatcher(self._taxonomy.read_text(encoding="utf-8") if self._taxonomy else None)
        self.find_region = find_region
        find_region(["北京市"])  # builds cpca's automaton now rather than on the first document

    def finish(self, result: FileResult) -> None:
        """Match indicator names, resolve the region and reconcile the flags of one file's rows."""
        from pipeline.normalize import match_names

        self._thread.join()
        match_names(result.indicators, self.matcher)
        texts = result.document.pop("region_texts", None)
        if texts:
            result.document.update(self.find_region(texts))
        reconcile_rows(result)


def reconcile_rows(result: FileResult) -> None:
    """Fill the flags of one document's projects and indicators (reconcile works per project and document)."""
    if not result.projects:
        return
    from pipeline.emit import frame
    from pipeline.reconcile import reconcile

    projects, indicators = reconcile(frame("projects", result.projects), frame("funds", result.funds),
                                     frame("indicators", result.indicators))
    for row, flags in zip(result.projects, projects["flags"]):
        row["flags"] = flags
    for row, flags in zip(result.indicators, indicators["flags"]):
        row["flags"] = flags


def read_local(tasks: list[tuple[int, InputItem]], settings: Settings) -> Iterator[tuple[int, FileResult]]:
    """Read the tasks in settings.jobs worker processes; yields (index, result) as each file ends."""
    todo: queue.Queue = queue.Queue()
    for task in tasks:
        todo.put(task)
    done: queue.Queue = queue.Queue()
    workers = [Worker() for _ in range(max(1, min(settings.jobs, len(tasks))))]
    stopping = threading.Event()

    def serve(worker: Worker) -> None:
        while not stopping.is_set():
            try:
                index, item = todo.get_nowait()
            except queue.Empty:
                return
            try:
                result = read_in(worker, item, settings)
            except Exception as error:  # never a thread that dies without its row: the batch would wait for it forever
                result = failed(item, " ".join(f"not read: {type(error).__name__}: {error}".split())[:300], transient=True)
            done.put((index, result))

    threads = [threading.Thread(target=serve, args=(worker,), daemon=True) for worker in workers]
    for thread in threads:
        thread.start()
    try:
        for _ in tasks:
            yield done.get()
    finally:
        stopping.set()
        for worker in workers:
            worker.close()


def read_in(worker: Worker, item: InputItem, settings: Settings) -> FileResult:
    """One file read by one worker; a worker that crashes or hangs costs only this file's row."""
    try:
        return worker.read(item, settings)
    except WorkerDied as death:
        if str(death) == "hung":
            return failed(item, f"reader hung: no answer within {wall_cap(settings):g} s of wall-clock time", transient=True)
        return failed(item, f"reader crashed ({death}) while reading the file", transient=True)


class ResultStore:
    """Each input's finished result: on disk in the cache when it may be kept, else in memory."""

    def __init__(self, cache: ResultCache | None) -> None:
        self.cache = cache
        self.keys: dict[int, str] = {}
        self.memory: dict[int, FileResult] = {}

    def put(self, index: int, key: str, result: FileResult) -> None:
        if self.cache is not None and key and not result.transient:
            self.cache.put(key, result)
            self.keys[index] = key
        else:
            self.memory[index] = result

    def get(self, index: int) -> FileResult:
        if index in self.memory:
            return self.memory[index]
        result = self.cache.get(self.keys[index])
        if result is None:  # removed under our feet: say so rather than lose the row
            return failed(PLACEHOLDER, "cached result vanished during the run; run again")
        return result


PLACEHOLDER = InputItem(source_path="", path=Path("/nonexistent"))


def read_all(plan: Plan, settings: Settings, store: ResultStore, force: bool = False,
             scheduler: str | None = None, progress: Progress | None = None) -> None:
    """Every input's result into store: from the cache when it holds it (unless force), else read."""
    keys = {index: result_key(plan.digests[index], plan.items[index].name, settings) if plan.digests[index] else ""
            for index in plan.to_read()}
    tasks = []
    for index in plan.to_read():
        cached = store.cache.get(keys[index]) if (store.cache is not None and keys[index] and not force) else None
        if cached is not None and (cached.pages_drawn or settings.debug_dir is None):
            store.keys[index] = keys[index]
            if progress:
                progress(plan.items[index], cached)
        else:
            tasks.append((index, plan.items[index]))
    if not tasks:
        return
    gazetteers = Gazetteers(settings.taxonomy)
    if scheduler:
        from pipeline.dask_backend import read_on_cluster

        results: Iterable[tuple[int, FileResult]] = read_on_cluster(tasks, settings, scheduler)
    else:
        results = read_local(tasks, settings)
    for index, result in results:
        gazetteers.finish(result)
        store.put(index, keys[index], result)
        if progress:
            progress(plan.items[index], result)


def duplicate_row(item: InputItem, original: dict) -> dict:
    """The documents row of a copy: the bytes' doc_id, status duplicate, the file it repeats; no rows of its own."""
    return {
        "doc_id": original.get("doc_id", ""), "source_path": item.source_path,
        "file_type": original.get("file_type", ""), "pages": original.get("pages"),
        "status": "duplicate", "error": f"same bytes as {original['source_path']}",
        "duplicate_of": original["source_path"], "n_projects": 0, "n_indicators": 0,
    }


def results_in_order(plan: Plan, store: ResultStore) -> Iterator[FileResult]:
    """Each input's result in input order, a duplicate as its own documents-only result; one at a time."""
    originals: dict[int, dict] = {}
    copied = set(plan.duplicate_of.values())
    for index, item in enumerate(plan.items):
        if index in plan.duplicate_of:
            yield FileResult(document=duplicate_row(item, originals[plan.duplicate_of[index]]))
            continue
        result = store.get(index)
        result.document["source_path"] = item.source_path
        if index in copied:
            originals[index] = dict(result.document)
        yield result


def run_batch(input_dir: Path, settings: Settings, progress: Progress | None = None,
              scheduler: str | None = None) -> list[FileResult]:
    """Every input of input_dir read (no cache, nothing written), in input order: for tests and the fuzz bench."""
    plan = Plan.of(batch_inputs(input_dir))
    store = ResultStore(cache=None)
    read_all(plan, settings, store, scheduler=scheduler, progress=progress)
    return list(results_in_order(plan, store))


def status_counts(documents: Iterable[dict]) -> Counter:
    return Counter(document.get("status", "") for document in documents)


@dataclass
class Summary:
    """What a folder run wrote: documents by status, rows per table, the extras that failed."""

    statuses: Counter
    rows: dict[str, int]
    extras_errors: list[str]


def run_folder(input_dir: Path, folder, settings: Settings, report: bool = True, force: bool = False,
               scheduler: str | None = None, progress: Progress | None = None,
               on_total: Callable[[int], None] | None = None) -> Summary:
    """Read input_dir into the opened OutputFolder `folder`: cache, read what is new, stage the set, commit it."""
    plan = Plan.of(batch_inputs(input_dir, folder.root))
    if on_total:
        on_total(len(plan.items))
    store = ResultStore(ResultCache(folder.cache_dir))
    # the writers' libraries (pandas, pyarrow, DuckDB: over a second) load while the workers read
    writers = threading.Thread(target=lambda: [importlib.import_module(f"pipeline.{name}") for name in ("emit", "extras")],
                               daemon=True)
    writers.start()
    read_all(plan, settings, store, force=force, scheduler=scheduler, progress=progress)
    writers.join()
    from pipeline.emit import TableWriter
    from pipeline.extras import write_extras

    stage = folder.stage()
    try:
        writer = TableWriter(stage)
        statuses: Counter = Counter()
        doc_ids: set[str] = set()
        for result in results_in_order(plan, store):
            statuses[result.document.get("status", "")] += 1
            doc_ids.add(result.document.get("doc_id") or "")
            writer.add("documents", [result.document])
            writer.add("projects", result.projects)
            writer.add("funds", result.funds)
            writer.add("indicators", result.indicators)
        rows = writer.close()
        errors = write_extras(stage, report)
        folder.commit(stage)
    except BaseException:
        folder.discard(stage)
        raise
    store.cache.keep_only(set(store.keys.values()))
    folder.keep_pages(doc_ids)
    return Summary(statuses=statuses, rows=rows, extras_errors=errors)
