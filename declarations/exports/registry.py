"""One exporter class per layout and format, collected in a plain registry dict.

An exporter takes a Document (built once by the layout) and returns
(filename, content_type, bytes); the download pages list what the registry offers.
"""
from .builders import load_document_data
from .layouts import get_layout
from .pdf import render_pdf
from .xlsx import render_xlsx


class Exporter:
    identifier = ""
    verbose_name = ""
    public = True
    layout_code = ""
    format = ""
    extension = ""
    content_type = ""

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


class HebeiPdfExporter(PdfExporter):
    identifier, layout_code, verbose_name = "hebei-pdf", "hebei", "河北省部门预算绩效文本（PDF）"


class HebeiXlsxExporter(XlsxExporter):
    identifier, layout_code, verbose_name = "hebei-xlsx", "hebei", "河北省部门预算绩效文本（Excel）"


class JiangsuPdfExporter(PdfExporter):
    identifier, layout_code, verbose_name = "jiangsu-pdf", "jiangsu", "江苏省预算绩效目标表（PDF）"


class JiangsuXlsxExporter(XlsxExporter):
    identifier, layout_code, verbose_name = "jiangsu-xlsx", "jiangsu", "江苏省预算绩效目标表（Excel）"


class NingxiaPdfExporter(PdfExporter):
    identifier, layout_code, verbose_name = "ningxia-pdf", "ningxia", "宁夏项目支出预算绩效目标表（PDF）"


class NingxiaXlsxExporter(XlsxExporter):
    identifier, layout_code, verbose_name = "ningxia-xlsx", "ningxia", "宁夏项目支出预算绩效目标表（Excel）"


class HubeiPdfExporter(PdfExporter):
    identifier, layout_code, verbose_name = "hubei-pdf", "hubei", "湖北省绩效目标申报表（PDF）"


class HubeiXlsxExporter(XlsxExporter):
    identifier, layout_code, verbose_name = "hubei-xlsx", "hubei", "湖北省绩效目标申报表（Excel）"


class NationalPdfExporter(PdfExporter):
    identifier, layout_code, verbose_name = "national-pdf", "national", "财政部绩效目标申报表（PDF）"


class NationalXlsxExporter(XlsxExporter):
    identifier, layout_code, verbose_name = "national-xlsx", "national", "财政部绩效目标申报表（Excel）"


EXPORTERS = {
    exporter.identifier: exporter
    for exporter in (
        cls()
        for cls in (
            HebeiPdfExporter, HebeiXlsxExporter, JiangsuPdfExporter, JiangsuXlsxExporter,
            NingxiaPdfExporter, NingxiaXlsxExporter, HubeiPdfExporter, HubeiXlsxExporter,
            NationalPdfExporter, NationalXlsxExporter,
        )
    )
}
FORMATS = {"pdf": "PDF", "xlsx": "Excel"}


# Every layout is a definition: one without exporters of its own prints through these.
GENERIC_EXPORTERS = {"pdf": PdfExporter(), "xlsx": XlsxExporter()}


def exporter_for(layout_code, fmt):
    exporter = EXPORTERS.get(f"{layout_code}-{fmt}") or GENERIC_EXPORTERS.get(fmt)
    if exporter is None:
        raise LookupError(f"版式“{layout_code}”没有“{fmt}”格式的导出")
    return exporter


def export_document(*, unit, year, fmt):
    """The unit's whole document for the year in its layout: (filename, content_type, bytes)."""
    data = load_document_data(unit, year)
    layout = get_layout(data.layout)
    return exporter_for(layout.code, fmt).render(_with_meta(layout.document(data), data))


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
    return exporter_for(layout.code, fmt).render(_with_meta(layout.project_document(data, project), data))


def export_department(*, department, fmt):
    data = load_document_data(department.unit, department.year.year)
    layout = get_layout(data.layout)
    return exporter_for(layout.code, fmt).render(_with_meta(layout.department_document(data), data))
