"""One exporter per format, for any layout.

An exporter takes a Document (built once by the layout's definition) and returns
(filename, content_type, bytes); the download pages list the formats.
"""
from .builders import load_document_data
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


def export_document(*, unit, year, fmt):
    """The unit's whole document for the year in its layout: (filename, content_type, bytes)."""
    data = load_document_data(unit, year)
    layout = get_layout(data.layout)
    return exporter_for(layout, fmt).render(_with_meta(layout.document(data), data))


def _with_meta(document, data):
    document.meta = {"unit": data.unit.pk, "year": data.year, "layout": data.layout_code}
    # The version of each declaration the document was built from: importing the workbook back
    # after a later save of one of them is refused (declarations/services/workbook_import.py).
    for declaration in ([data.department] if data.department else []) + list(data.projects):
        kind = "department" if declaration is data.department else "project"
        document.meta[f"version:{kind}:{declaration.pk}"] = declaration.version
    return document


def export_project(*, project, fmt):
    data = load_document_data(project.unit, project.year.year, with_department=False)
    layout = get_layout(data.layout)
    project = next(p for p in data.projects if p.pk == project.pk)
    return exporter_for(layout, fmt).render(_with_meta(layout.project_document(data, project), data))


def export_department(*, department, fmt):
    data = load_document_data(department.unit, department.year.year)
    layout = get_layout(data.layout)
    return exporter_for(layout, fmt).render(_with_meta(layout.department_document(data), data))
