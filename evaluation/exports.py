"""The 监控表 and 自评表 as documents: the layout's definition (the bureau's own `tables.monitoring` /
`tables.self_evaluation`, else the national one in evaluation/definitions/) read by the declarations'
interpreter, laid out by the same PDF and Excel writers. Built from the data dicts of tables.py, so
a published snapshot prints exactly as the live table did.

A download is kept by content like the declarations' (declarations/exports/registry.py: kept):
`export_table` answers the kept file, or raise NotKept for a job to
render it (evaluation/tasks.py); no PDF renders in a web request."""
import hashlib
import json
from decimal import Decimal
from functools import cache
from pathlib import Path

import yaml

from declarations.exports.document import Document
from declarations.exports.interpreter import DefinedLayout
from declarations.exports.layouts import get_layout
from declarations.exports.pdf import render_pdf
from declarations.exports.registry import EXPORT_CODE_VERSION, kept
from declarations.exports.xlsx import render_xlsx

from .importing import meta_for
from .models import MonitoringReport
from .tables import monitoring_data, self_evaluation_data

DEFAULT_DEFINITION = Path(__file__).resolve().parent / "definitions" / "national-evaluation.yaml"
MONEY_FIELDS = {"budget", "executed_amount", "initial_budget", "full_year_budget", "execution_rate",
                "planned_percent"}
TITLES = {"monitoring": "项目支出绩效目标执行监控表", "self_evaluation": "项目支出绩效自评表"}
OWNERS = {"monitoring": ("MonitoringReport", "MonitoringValue", "report"),
          "self_evaluation": ("SelfEvaluation", "SelfEvaluationValue", "evaluation")}
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@cache
def default_layout():
    with open(DEFAULT_DEFINITION, encoding="utf-8") as handle:
        return DefinedLayout(yaml.safe_load(handle))


def layout_for(bureau_layout, kind):
    """The bureau's layout when it defines this table, else the national default."""
    try:
        layout = get_layout(bureau_layout) if bureau_layout is not None else None
    except LookupError:
        layout = None
    if isinstance(layout, DefinedLayout) and layout.has_table(kind):
        return layout
    return default_layout()


class Row:
    """A row or a table owner as the interpreter reads it: attributes, a pk, amounts as Decimals.
    Its class name (MonitoringValue, SelfEvaluation, …) makes the Excel binding key."""

    def __init__(self, data):
        for name, stored in data.items():
            if name in MONEY_FIELDS:
                stored = Decimal(stored) if stored not in ("", None) else None
            setattr(self, name, stored)


def _row_class(name):
    return type(name, (Row,), {})


def document(data, bureau_layout=None):
    """The one-table Document of a monitoring or self-evaluation data dict (tables.py)."""
    kind = data["kind"]
    owner_name, row_name, key = OWNERS[kind]
    row_class = _row_class(row_name)
    owner = _row_class(owner_name)({
        **data[key], "budget": data["project"]["budget"], "values": [row_class(row) for row in data["values"]],
    })
    context = {"year": data["year"], "bureau": data["bureau"], "unit": data["unit"], "project": data["project"],
               "period": data.get("period", ""), key: owner}
    table = layout_for(bureau_layout, kind).table(kind, owner, context, anchor=kind)
    period = f"{data['period']}" if data.get("period") else ""
    title = f"{data['year']}年{period}{data['project']['name']}{TITLES[kind]}"
    return Document(title=title, filename=f"{data['year']}-{data['unit']['name']}-{data['project']['name']}-"
                                          f"{TITLES[kind]}{period}", blocks=[table])


def render(data, fmt, *, bureau_layout=None, meta=None):
    """(filename, content type, bytes) of the table in `fmt` (pdf or xlsx); `meta` makes an Excel
    workbook that can be edited and imported back."""
    doc = document(data, bureau_layout)
    content = render_pdf(doc) if fmt == "pdf" else render_xlsx(doc, meta=meta)
    return f"{doc.filename}.{fmt}", CONTENT_TYPES[fmt], content


def content_key(data, fmt, layout, meta):
    """The SHA-256 of everything the bytes depend on: the table's data dict (tables.py), the
    format, the workbook's import meta (its version), the layout's definition and the exporters'
    EXPORT_CODE_VERSION."""
    depends = {"code": EXPORT_CODE_VERSION, "part": f"evaluation:{data['kind']}", "format": fmt, "meta": meta,
               "data": data, "layout": {"code": layout.code, "definition": layout.definition}}
    text = json.dumps(depends, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def export(data, fmt, *, bureau_layout=None, meta=None, render=True):
    """render()'s (filename, content type, bytes) as a kept Export: the file kept for the same
    content at once; else rendered and kept (render=True) or NotKept (render=False)."""
    layout = layout_for(bureau_layout, data["kind"])
    doc = document(data, bureau_layout)
    return kept(key=content_key(data, fmt, layout, meta), extension=fmt, content_type=CONTENT_TYPES[fmt],
                filename=f"{doc.filename}.{fmt}", render=render,
                render_bytes=lambda: render_pdf(doc) if fmt == "pdf" else render_xlsx(doc, meta=meta))


def export_table(*, obj, fmt, render=True):
    """A monitoring report's or a self-evaluation's table in its bureau's layout, kept by content
    (export); its Excel workbook can be edited and imported back."""
    data = monitoring_data(obj) if isinstance(obj, MonitoringReport) else self_evaluation_data(obj)
    return export(data, fmt, bureau_layout=obj.project.unit.bureau.layout, render=render,
                  meta=meta_for(obj) if fmt == "xlsx" else None)
