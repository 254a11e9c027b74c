"""PDF writer: the document's HTML through WeasyPrint, fetching nothing but our own static files."""
import logging
import mimetypes
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from jobs.context import in_web_request

logger = logging.getLogger(__name__)
STYLESHEET = "print/document.css"


def _static_roots():
    roots = []
    for entry in settings.STATICFILES_DIRS:
        path = entry[1] if isinstance(entry, (tuple, list)) else entry
        roots.append(Path(path).resolve())
    if settings.STATIC_ROOT:
        roots.append(Path(settings.STATIC_ROOT).resolve())
    return roots


class StaticOnlyURLFetcher(URLFetcher):
    """Serves `data:` URLs and files inside the project's static folders; refuses the rest.

    User text could smuggle `<img src="file:///etc/passwd">` or an internal address into a
    table; the template escapes it, and this fetcher is the second wall. Redirects are off.
    """

    def __init__(self):
        super().__init__(timeout=5, allowed_protocols={"data"}, allow_redirects=False, fail_on_errors=False)
        self.roots = _static_roots()
        self.refused = []

    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            return super().fetch(url, headers)
        if url.startswith("file://"):
            path = Path(url.removeprefix("file://").split("?")[0].split("#")[0]).resolve()
            if any(path.is_relative_to(root) for root in self.roots) and path.is_file():
                content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": content_type})
        self.refused.append(url)
        logger.warning("pdf.fetch_refused url=%s", url)
        raise ValueError(f"refused to fetch {url}")


def render_html(document, *, for_pdf=True):
    stylesheet = finders.find(STYLESHEET)
    return render_to_string(
        "exports/document.html",
        {"document": document, "stylesheet": Path(stylesheet).resolve().as_uri() if for_pdf else ""},
    )


class PdfInRequest(RuntimeError):
    """render_pdf was called for a web request: PDFs render in jobs and commands only (issue 16)."""


def render_pdf(document):
    """The document's PDF, rendered in a limited child process (declarations/exports/worker.py)
    unless PDF_TIMEOUT_SECONDS is 0 or this is that child already. Raises RenderError when
    the document is over a limit, and PdfInRequest inside a web request (jobs/context.py): a
    view starts a job (jobs.services.job_start) instead."""
    from . import worker

    if in_web_request():
        raise PdfInRequest(
            f"render_pdf({document.filename!r}) inside a web request: PDFs render in jobs "
            "(jobs.services.job_start) or management commands only"
        )

    if not settings.PDF_TIMEOUT_SECONDS or worker.in_child():
        return render_pdf_here(document)
    return worker.render_limited(document)


def render_pdf_here(document):
    """The document's PDF, rendered in this process."""
    fetcher = StaticOnlyURLFetcher()
    html = render_html(document)
    return HTML(string=html, url_fetcher=fetcher, base_url=None).write_pdf()
