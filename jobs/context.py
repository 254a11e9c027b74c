"""Where work runs: in a web request, or in a job or a command (issue 16: no web worker ever
renders a PDF). The middleware marks everything a request runs; `job_run` unmarks a job's work,
which in huey's immediate mode (tests, HUEY_IMMEDIATE) runs inside the request that enqueued it.
Commands and the worker processes are never marked."""
import contextvars
from contextlib import contextmanager

_in_web_request = contextvars.ContextVar("in_web_request", default=False)


def in_web_request():
    """Whether the current code runs for a web request (and not inside a job it started)."""
    return _in_web_request.get()


@contextmanager
def _marked(value):
    token = _in_web_request.set(value)
    try:
        yield
    finally:
        _in_web_request.reset(token)


def web_request():
    return _marked(True)


def outside_request():
    """A job's work: allowed what a request is not, even when it runs in the request's thread."""
    return _marked(False)


class WebRequestMiddleware:
    """First in MIDDLEWARE, so that every other middleware and the view run marked."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with web_request():
            return self.get_response(request)
