"""Reading back an exported 监控表 or 自评表 workbook edited in Excel or WPS.

The export records where each value went (the hidden bindings sheet, declarations/exports/xlsx.py)
and the version it was made from; the import reads those cells with the declarations' workbook
reader and caps, checks every one, and changes nothing unless the whole file is valid. Errors name
the sheet, the row and the column.
"""
from declarations.services.workbook_import import WorkbookError, _amount, _bindings, _Book, _position, _raw, _text

from . import forms
from .models import DeviationCause, Likelihood, MonitoringReport

FORMAT_KIND = {"monitoringreport": "monitoring", "selfevaluation": "self_evaluation"}
# Bound keys a workbook may change, by kind: owner fields and row fields.
OWNER_FIELDS = {"monitoring": {"executed_amount"},
                "self_evaluation": {"initial_budget", "full_year_budget", "executed_amount", "goal_achieved"}}
ROW_FIELDS = {"monitoring": {"reached_value", "expected_value", "deviation_cause", "deviation_text", "likelihood",
                             "note"},
              "self_evaluation": {"reached_value", "analysis"}}
MONEY = {"executed_amount", "initial_budget", "full_year_budget"}
CHOICES = {"deviation_cause": DeviationCause, "likelihood": Likelihood}


def meta_for(obj):
    """What an exported workbook records to be read back: which table, which row, which version."""
    kind = "monitoring" if isinstance(obj, MonitoringReport) else "self_evaluation"
    return {"table": kind, "pk": obj.pk, "version": obj.version}


def _where(sheet, coordinate):
    position = _position(coordinate)
    if position is None:
        return f"工作表“{sheet}”{coordinate}"
    return f"工作表“{sheet}”第 {position[0]} 行第 {position[1]} 列（{coordinate}）"


def _value(name, raw, cell, where, problems):
    if name in MONEY:
        return _amount(raw, where, problems)
    text = _text(raw, "", where, problems)
    if text is None:
        return None
    if name in CHOICES:
        if name == "deviation_cause" and not text:
            return ""
        by_label = {label: value for value, label in CHOICES[name].choices}
        if text not in by_label:
            problems.append(f"{where}：“{text}”不是可选项，应为 {'、'.join(by_label)} 之一")
            return None
        return by_label[text]
    if name in ("reached_value", "expected_value"):
        try:
            return forms._reached(text)
        except forms.forms.ValidationError as error:
            problems.append(f"{where}：{'；'.join(error.messages)}")
            return None
    return text


def read_changes(content, *, obj, row_pks):
    """(owner changes {field: value}, row changes {pk: {field: value}}) of an edited workbook of
    `obj` (whose value rows are `row_pks`); raises WorkbookError listing every problem."""
    book = _Book(content)
    try:
        meta, bound, wanted = _bindings(book)
        kind = meta_for(obj)["table"]
        if meta.get("table") != kind or meta.get("pk") != str(obj.pk):
            raise WorkbookError(["这份工作簿不是本表导出的，不能导入；请从本表的页面导出 Excel 再修改"])
        if meta.get("version") != str(obj.version):
            raise WorkbookError(["导出之后网页上的内容又被修改过，这份工作簿已过期，不能导入；请重新导出再修改"])
        book.keep(wanted)
        problems, owner_changes, row_changes = [], {}, {}
        for kind_of_row, sheet, coordinate, key, _prefix, exported in bound:
            if kind_of_row != "value":
                continue
            cell = book.cell(str(sheet), coordinate, problems)
            if cell is None:
                continue
            where = _where(sheet, coordinate)
            raw = _raw(cell, where, problems)
            if str("" if raw is None else raw).strip() == str(exported or "").strip():
                continue  # untouched
            model, pk, name = (str(key).split(":") + ["", ""])[:3]
            is_owner = FORMAT_KIND.get(model) == kind
            allowed = OWNER_FIELDS[kind] if is_owner else ROW_FIELDS[kind]
            if name not in allowed or (not is_owner and (not pk.isdigit() or int(pk) not in row_pks)):
                problems.append(f"{where}：这一格不能在 Excel 中修改，请恢复原值")
                continue
            parsed = _value(name, raw, cell, where, problems)
            if parsed is None and name not in MONEY:
                continue
            if is_owner:
                owner_changes[name] = parsed
            else:
                row_changes.setdefault(int(pk), {})[name] = parsed
        if problems:
            raise WorkbookError(problems)
        return owner_changes, row_changes
    finally:
        book.close()
