"""One exporter per format, for any layout.

An exporter takes a Document (built once by the layout's definition) and returns
(filename, content_type, bytes); the download pages list the formats.

Whole-document exports are kept by content hash (`_kept`): the same content never renders twice.
"""
import hashlib
import json

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from .builders import load_document_data, load_project_data
from .layouts import get_layout
from .pdf import render_pdf
from .xlsx import render_xlsx


class Exporter:
    """One format's writer, for any layout (pretix's exporter contract: identifier, verbose_name,
    public, render -> (filename, content_type, bytes))."""

    public = True
    format = ""
    extension = ""
    content_type = ""

    def __init__(self, layout):
        self.layout = layout

    @property
    def identifier(self):
        return f"{self.layout.code}-{self.format}"

    @property
    def verbose_name(self):
        return f"{self.layout.verbose_name}（{FORMATS[self.format]}）"

    def render_bytes(self, document):  # pragma: no cover - each format defines it
        raise NotImplementedError

    def render(self, document):
        return f"{document.filename}.{self.extension}", self.content_type, self.render_bytes(document)


class PdfExporter(Exporter):
    format = "pdf"
    extension = "pdf"
    content_type = "application/pdf"

    def render_bytes(self, document):
        return render_pdf(document)


class XlsxExporter(Exporter):
    format = "xlsx"
    extension = "xlsx"
    content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

    def render_bytes(self, document):
        return render_xlsx(document, meta=document.meta)


FORMATS = {"pdf": "PDF", "xlsx": "Excel"}
WRITERS = {"pdf": PdfExporter, "xlsx": XlsxExporter}


def exporter_for(layout, fmt):
    """The exporter of a format for a layout (any layout: every one is a definition)."""
    try:
        return WRITERS[fmt](layout)
    except KeyError:
        raise LookupError(f"没有“{fmt}”格式的导出") from None


# Raise when the exporters print differently for the same content: every kept file is then made anew.
EXPORT_CODE_VERSION = 1


class NotKept(Exception):
    """The content is not kept yet: rendering it is long work for a worker (declarations/tasks.py)."""


class Export(tuple):
    """(filename, content_type, bytes), and the name of the kept file in the default storage."""

    def __new__(cls, filename, content_type, content, *, stored):
        export = super().__new__(cls, (filename, content_type, content))
        export.stored = stored
        return export


def export_document(*, unit, year, fmt, render=True):
    """The unit's whole document for the year in its layout: (filename, content_type, bytes).

    With render=False only a kept file is answered; otherwise NotKept is raised."""
    data = load_document_data(unit, year)
    layout = get_layout(data.layout)
    return _kept(layout, fmt, _with_meta(layout.document(data), data), data, part="document", render=render)


def _with_meta(document, data):
    document.meta = {"unit": data.unit.pk, "year": data.year, "layout": data.layout_code}
    # The version of each declaration the document was built from: importing the workbook back
    # after a later save of one of them is refused (declarations/services/workbook_import.py).
    for declaration in ([data.department] if data.department else []) + list(data.projects):
        kind = "department" if declaration is data.department else "project"
        document.meta[f"version:{kind}:{declaration.pk}"] = declaration.version
    return document


def export_project(*, project, fmt, render=True):
    layout = get_layout(project.unit.bureau.layout)
    data, project, number = load_project_data(project, layout, with_department=False)
    document = _with_meta(layout.project_document(data, project, number=number), data)
    # Read alone, the project's number (its place in the document) comes from the other
    # projects: part of what the file depends on.
    part = f"project:{project.pk}" if number is None else f"project:{project.pk}:{number}"
    return _kept(layout, fmt, document, data, part=part, render=render)


def export_department(*, department, fmt, render=True):
    data = load_document_data(department.unit, department.year.year)
    layout = get_layout(data.layout)
    return _kept(layout, fmt, _with_meta(layout.department_document(data), data), data, part="department",
                 render=render)


# --- kept by content hash -----------------------------------------------------------------

def content_key(layout, fmt, document, data, *, part):
    """The SHA-256 of everything the bytes depend on: the document's interchange JSON, the
    layout's definition and version, its indicator framework, the format, which part is printed,
    the versions written into the file, and EXPORT_CODE_VERSION."""
    from ..services.interchange import department_to_dict, header_of, project_to_dict

    depends = {
        "code": EXPORT_CODE_VERSION,
        "format": fmt,
        "part": part,
        "meta": document.meta,
        # From the rows already read for the document (prefetched): no second read of the database.
        "document": {
            "header": header_of(data.unit, data.year, data.cover),
            "department": department_to_dict(data.department) if data.department is not None else None,
            "projects": [project_to_dict(project) for project in data.projects],
        },
        "layout": {"code": layout.code, "version": data.layout.version, "definition": layout.definition},
        "frameworks": _frameworks(data.frameworks),
    }
    text = json.dumps(depends, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _frameworks(frameworks):
    """一级/二级 as printed (already prefetched by load_document_data: no query)."""
    return {
        kind: [
            [category.name, category.order,
             [[sub.name, sub.order, sub.mandatory, sub.note] for sub in category.subcategories.all()]]
            for category in framework.categories.all()
        ]
        for kind, framework in frameworks.items()
    }


def _kept(layout, fmt, document, data, *, part, render=True):
    """The exporter's (filename, content_type, bytes), rendered only when no file of the same
    content key is kept in the default storage yet (and render is True: else NotKept)."""
    exporter = exporter_for(layout, fmt)
    return kept(key=content_key(layout, fmt, document, data, part=part), extension=exporter.extension,
                content_type=exporter.content_type, filename=f"{document.filename}.{exporter.extension}",
                render_bytes=lambda: exporter.render_bytes(document), render=render)


def kept(*, key, extension, content_type, filename, render_bytes, render=True):
    """The file kept under the content key `key` as an Export; when none is kept, `render_bytes()`
    makes it and it is kept (render=True), or NotKept is raised (render=False: a request asks,
    a job renders). Other exports (evaluation/exports.py) keep their files here too."""
    name = f"{settings.EXPORT_CACHE_PREFIX}{key}.{extension}"
    if default_storage.exists(name):
        with default_storage.open(name, "rb") as handle:
            return Export(filename, content_type, handle.read(), stored=name)
    if not render:
        raise NotKept(name)
    content = render_bytes()
    saved = default_storage.save(name, ContentFile(content))
    if saved != name:  # another request kept the same content meanwhile: keep one file
        default_storage.delete(saved)
    return Export(filename, content_type, content, stored=name)
