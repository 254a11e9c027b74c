"""Layout definitions kept in the database: checked, previewed, saved as new versions.

A definition is checked in two steps: against docs/layout.schema.json (errors name the key,
`tables.project.parts[1].indicators.cells[0].span`), then by printing a sample document with it,
so that a template or a construct the interpreter cannot use is reported before it is saved.
"""
import json
import logging
from functools import lru_cache
from pathlib import Path

import yaml
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.template import TemplateSyntaxError
from jsonschema import Draft202012Validator

from indicators.models import Layout
from indicators.services import layout_export, layout_import

from ..exports.builders import load_document_data
from ..exports.interpreter import DefinedLayout, DefinitionError
from ..models import DepartmentDeclaration, ProjectDeclaration
from .importing import _describe, path_text

logger = logging.getLogger(__name__)
SCHEMA_PATH = Path(settings.BASE_DIR) / "docs" / "layout.schema.json"
MAX_MESSAGES = 20


class LayoutDefinitionError(Exception):
    """A definition that cannot be used; `messages` say where and why."""

    def __init__(self, messages):
        self.messages = list(messages)
        super().__init__("；".join(self.messages))


@lru_cache(maxsize=1)
def _validator():
    return Draft202012Validator(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))


def definition_parse(text):
    """A definition from the YAML (or JSON, a subset) an administrator typed."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"第 {mark.line + 1} 行第 {mark.column + 1} 列" if mark else "文本"
        raise LayoutDefinitionError([f"{where}：不是有效的 YAML（{getattr(error, 'problem', '') or error}）"]) from None
    if not isinstance(data, dict):
        raise LayoutDefinitionError(["（定义）：应为键值对（YAML 映射），以 code、name、tables 等键开头"])
    return data


def schema_errors(definition):
    problems = []
    for error in sorted(_validator().iter_errors(definition), key=lambda e: list(map(str, e.absolute_path))):
        problems += [m.replace("docs/interchange.md", "docs/layouts.md") for m in _describe(error)]
    return problems[:MAX_MESSAGES]


def sample_data(layout_code):
    """A unit-year to preview a layout on: one of a bureau using it, else any with declarations."""
    for model in (DepartmentDeclaration, ProjectDeclaration):
        found = (
            model.objects.filter(unit__bureau__layout__code=layout_code).select_related("unit", "year")
            .order_by("-year__year").first()
        )
        if found:
            return load_document_data(found.unit, found.year.year)
    found = ProjectDeclaration.objects.select_related("unit", "year").order_by("-year__year").first()
    return load_document_data(found.unit, found.year.year) if found else None


def preview_document(definition, data=None):
    """The whole document the definition prints for the sample unit-year (None without data)."""
    data = data if data is not None else sample_data(definition.get("code"))
    if data is None:
        return None
    return DefinedLayout(definition).document(data)


def definition_errors(definition):
    """Every reason the definition cannot be used (empty when it can)."""
    problems = schema_errors(definition)
    if problems:
        return problems
    data = sample_data(definition.get("code"))
    try:
        layout = DefinedLayout(definition)
        if data is not None:
            layout.document(data)
            if data.department is not None:
                layout.department_document(data)
            for project in data.projects[:3]:
                layout.project_document(data, project)
    except (DefinitionError, TemplateSyntaxError, KeyError, AttributeError, TypeError, ValueError) as error:
        where = f"（以 {data.unit.name} {data.year} 年的数据试印）" if data is not None else ""
        name = error.args[0] if isinstance(error, KeyError) and error.args else error
        prefix = "缺少键 " if isinstance(error, KeyError) else ""
        return [f"试印失败{where}：{prefix}{name}"]
    return []


@transaction.atomic
def layout_definition_save(*, layout, definition, user, version):
    """Save a checked definition as the layout's next version; refuses a stale edit."""
    if definition.get("code") != layout.code:
        raise LayoutDefinitionError([f"code：应为本版式的代码“{layout.code}”，实际是“{definition.get('code')}”"])
    problems = definition_errors(definition)
    if problems:
        raise LayoutDefinitionError(problems)
    definition = {**definition, "version": version + 1}
    changed = Layout.objects.filter(pk=layout.pk, version=version).update(
        definition=definition, name=definition.get("name") or layout.name, version=F("version") + 1
    )
    if not changed:
        raise LayoutDefinitionError(["版式定义在您打开之后已被他人修改并保存，本次没有保存；请重新打开后再改"])
    layout.refresh_from_db()
    logger.info("layout.definition_saved layout=%s version=%s user=%s", layout.code, layout.version,
                getattr(user, "pk", None))
    return layout


def layout_bundle_export(*, layout):
    """The layout as one file: its frameworks (indicators.services.layout_export) and its definition."""
    from ..exports.layouts import packaged_definitions

    return {**layout_export(layout=layout), "definition": layout.definition or packaged_definitions().get(layout.code)}


@transaction.atomic
def layout_bundle_import(*, data, user=None):
    """Create or update a layout from layout_bundle_export's file: frameworks, then the definition
    (checked, as a new version); all or nothing."""
    definition = data.get("definition") if isinstance(data, dict) else None
    result = layout_import(data={key: value for key, value in data.items() if key != "definition"}
                           if isinstance(data, dict) else data)
    layout = result["layout"]
    if definition:
        if not isinstance(definition, dict):
            raise LayoutDefinitionError(["definition：应为键值对"])
        layouts_saved = layout_definition_save(
            layout=layout, definition={**definition, "code": layout.code, "name": layout.name}, user=user,
            version=layout.version,
        )
        result["layout"] = layouts_saved
    return result


def definition_text(layout):
    """The definition as the YAML the editor shows: the stored one, else the one shipped."""
    from ..exports.layouts import packaged_definitions

    definition = layout.definition or packaged_definitions().get(layout.code) or {
        "code": layout.code, "name": layout.name, "tables": {},
    }
    return yaml.safe_dump(definition, allow_unicode=True, sort_keys=False, width=120)


__all__ = ["LayoutDefinitionError", "definition_errors", "definition_parse", "definition_text",
           "layout_definition_save", "path_text", "preview_document"]
