"""PDF rendering in a separate process, with a memory limit and a timeout.

WeasyPrint lays out in Python over C libraries (pango, harfbuzz). A pathological
document — a table of 5,000 indicator rows, a cell of megabytes of text — takes seconds to
minutes and hundreds of MB; in the web or task worker process that would hold the process and
keep its memory (CPython rarely gives memory back). Rendering in a child process bounds both:

- `render_pdf_in_worker(document, timeout=60, memory_mb=800)` starts one child (spawn; the
  parent's threads and open connections are not inherited), caps its address space with
  `resource.setrlimit(RLIMIT_AS)` before it loads Django and WeasyPrint, renders, and sends the
  bytes back through a pipe. It returns the PDF bytes or raises `RenderError` with `reason`:
    - "timeout": no answer in `timeout` seconds; the child is killed (SIGKILL), nothing is left;
    - "memory":  the child ran out of its address space — a MemoryError in Python, or the child
                 died (a C library's allocation failing aborts it; Linux's OOM killer sends
                 SIGKILL) without an answer;
    - "error":   the rendering raised anything else; the message holds the child's traceback.
- `PdfWorkerPool(workers=2, max_tasks_per_child=20, memory_mb=800)` keeps warm workers for many
  documents (starting a child, Django and WeasyPrint costs about a second). It is a
  `concurrent.futures.ProcessPoolExecutor` with `max_tasks_per_child` (new in Python 3.11):
  each worker is replaced after N jobs, so fragmentation and caches cannot grow without end.
  On a timeout or a dead worker the pool's processes are killed and a fresh pool is made (a
  ProcessPoolExecutor cannot cancel one running job or survive a worker's death); the error is
  the same `RenderError`.

The child needs the parent's Django settings module (`settings.SETTINGS_MODULE`); it does not
use the database (the Document is built by the caller and sent pickled).
"""
import multiprocessing
import os
import resource
import threading
import time
import traceback
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool

MB = 1024 * 1024
DEFAULT_START_METHOD = "spawn"
CHILD_FLAG = "PJD_PDF_CHILD"


class RenderError(Exception):
    """The PDF could not be made in the worker: `reason` is "timeout", "memory" or "error"."""

    def __init__(self, reason, message, summary=""):
        super().__init__(message)
        self.reason = reason
        # One line a user may read (the message of "error" holds the child's traceback).
        self.summary = summary or message


def _settings_module():
    from django.conf import settings

    module = getattr(settings, "SETTINGS_MODULE", None) or os.environ.get("DJANGO_SETTINGS_MODULE")
    if not module:
        raise RenderError("error", "the PDF worker needs DJANGO_SETTINGS_MODULE (settings.configure() is not enough)")
    return module


def _limit_memory(memory_mb):
    if memory_mb:
        limit = int(memory_mb * MB)
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _child_setup(settings_module, memory_mb):
    """In the child, first of all: the memory cap, then Django."""
    _limit_memory(memory_mb)
    os.environ[CHILD_FLAG] = "1"  # render_pdf renders here, without starting another child
    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    import django

    django.setup()


# --- jobs run in the child ----------------------------------------------------------------

def in_child():
    return os.environ.get(CHILD_FLAG) == "1"


def _render_job(document):
    from .pdf import render_pdf_here

    return render_pdf_here(document)


def _sleep_job(seconds):
    """A test hook: a job that only takes time."""
    time.sleep(seconds)
    return b""


def _allocate_job(megabytes):
    """A test hook: a job that needs more memory than a small limit allows."""
    block = bytearray(megabytes * MB)
    return bytes(block[:1])


def _pool_call(job, args):
    """What a pool worker runs: the job, with MemoryError turned into an answer the parent reads."""
    try:
        return ("ok", job(*args))
    except MemoryError:
        return ("memory", "MemoryError")
    except Exception:
        return ("error", traceback.format_exc())


def _child_main(connection, settings_module, memory_mb, job, args):
    try:
        try:
            _child_setup(settings_module, memory_mb)
            result = job(*args)
        except MemoryError:
            connection.send(("memory", "MemoryError"))
            return
        except BaseException:
            connection.send(("error", traceback.format_exc()))
            return
        connection.send(("ok", len(result)))
        connection.send_bytes(result)
    finally:
        connection.close()


# --- the parent's side --------------------------------------------------------------------

def _context(start_method):
    return multiprocessing.get_context(start_method or DEFAULT_START_METHOD)


def _memory_error(memory_mb, detail):
    summary = f"PDF 生成超出内存限制（{memory_mb} MB），已停止"
    return RenderError("memory", f"{summary}：{detail}", summary)


def _timeout_error(timeout):
    return RenderError("timeout", f"PDF 生成超过时间限制（{timeout} 秒），已停止")


def _failure(payload):
    return RenderError("error", f"PDF 生成失败：\n{payload}", "PDF 生成失败")


def run_in_worker(job, args=(), *, timeout=60, memory_mb=800, start_method=None):
    """Run `job(*args)` (a module-level function returning bytes) in a limited child process."""
    context = _context(start_method)
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(
        target=_child_main, args=(sender, _settings_module(), memory_mb, job, args), daemon=True,
        name="pdf-worker",
    )
    deadline = time.monotonic() + timeout
    process.start()
    sender.close()  # the child holds the only writing end: its death is an EOF here
    try:
        if not receiver.poll(max(0.0, deadline - time.monotonic())):
            raise _timeout_error(timeout)
        try:
            state, payload = receiver.recv()
            if state == "ok":
                if not receiver.poll(max(0.0, deadline - time.monotonic())):
                    raise _timeout_error(timeout)
                return receiver.recv_bytes()
        except EOFError:
            process.join(5)
            code = process.exitcode
            raise _memory_error(memory_mb, f"进程异常退出（exit code {code}）") from None
        if state == "memory":
            raise _memory_error(memory_mb, payload)
        raise _failure(payload)
    finally:
        receiver.close()
        if process.is_alive():
            process.kill()
        process.join(5)


def render_pdf_in_worker(document, *, timeout=60, memory_mb=800, start_method=None):
    """The document's PDF bytes, rendered in a child process with a memory cap and a timeout;
    raises RenderError("timeout" | "memory" | "error")."""
    return run_in_worker(_render_job, (document,), timeout=timeout, memory_mb=memory_mb, start_method=start_method)


class PdfWorkerPool:
    """Warm PDF workers that are replaced after `max_tasks_per_child` jobs.

        with PdfWorkerPool(workers=2, max_tasks_per_child=20) as pool:
            pdf = pool.render(document, timeout=60)
    """

    def __init__(self, workers=2, *, max_tasks_per_child=20, memory_mb=800, start_method=None):
        self.workers = workers
        self.max_tasks_per_child = max_tasks_per_child
        self.memory_mb = memory_mb
        self.start_method = start_method
        self.settings_module = _settings_module()
        self._executor = None

    def _pool(self):
        if self._executor is None:
            self._executor = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=_context(self.start_method),
                initializer=_child_setup,
                initargs=(self.settings_module, self.memory_mb),
                max_tasks_per_child=self.max_tasks_per_child,
            )
        return self._executor

    def _discard(self):
        """Kill the pool's processes (one of them is stuck or dead) and start afresh next time."""
        executor, self._executor = self._executor, None
        if executor is None:
            return
        processes = list((getattr(executor, "_processes", None) or {}).values())
        kill = getattr(executor, "kill_workers", None)  # Python 3.14
        if kill is not None:
            kill()
        else:
            for process in processes:
                if process.is_alive():
                    process.kill()
        executor.shutdown(wait=True, cancel_futures=True)

    def submit(self, job, *args):
        return self._pool().submit(_pool_call, job, args)

    def run(self, job, *args, timeout=60):
        future = self.submit(job, *args)
        try:
            state, payload = future.result(timeout=timeout)
        except FutureTimeout:
            self._discard()
            raise _timeout_error(timeout) from None
        except BrokenProcessPool as error:
            self._discard()
            raise _memory_error(self.memory_mb, f"工作进程异常退出（{error}）") from None
        except MemoryError:
            raise _memory_error(self.memory_mb, "MemoryError") from None
        if state == "ok":
            return payload
        if state == "memory":
            raise _memory_error(self.memory_mb, payload)
        raise _failure(payload)

    def render(self, document, *, timeout=60):
        return self.run(_render_job, document, timeout=timeout)

    def close(self):
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


# --- what render_pdf uses (declarations/exports/pdf.py) -----------------------------------

_pools = threading.local()


def render_limited(document):
    """The PDF rendered under the settings' limits by this thread's warm child (a pool of one,
    replaced after PDF_MAX_TASKS_PER_CHILD documents): in a task worker, one per worker thread;
    in a command (load_demo --publish), one for the run."""
    from django.conf import settings

    limits = (settings.PDF_MAX_TASKS_PER_CHILD, settings.PDF_MEMORY_MB)
    pool = getattr(_pools, "pool", None)
    if pool is None or (pool.max_tasks_per_child, pool.memory_mb) != limits:
        if pool is not None:
            pool.close()
        pool = _pools.pool = PdfWorkerPool(1, max_tasks_per_child=limits[0], memory_mb=limits[1])
    return pool.render(document, timeout=settings.PDF_TIMEOUT_SECONDS)


def render_pdf_once(document):
    """For a web request that must show a PDF at once (the admin's layout preview): a child
    started for it, under the same limits, so no web worker holds a warm one."""
    from django.conf import settings

    from .pdf import render_pdf_here

    if not settings.PDF_TIMEOUT_SECONDS:
        return render_pdf_here(document)
    return render_pdf_in_worker(document, timeout=settings.PDF_TIMEOUT_SECONDS, memory_mb=settings.PDF_MEMORY_MB)
