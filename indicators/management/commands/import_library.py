from django.core.management.base import BaseCommand, CommandError

from indicators.services import (
    LibraryImportError,
    library_apply,
    library_preview,
    library_read_path,
    library_read_yaml,
)


class Command(BaseCommand):
    help = (
        "从 .xlsx 或 .csv（表头：一级指标、二级指标、三级指标、指标解释、建议指标值、取值依据）"
        "导入指标库。默认只显示预览；加 --apply 才写入。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help=".xlsx、.csv，或与 indicators/fixtures/library.yaml 同样格式的 .yaml")
        parser.add_argument("--apply", action="store_true", help="没有错误时写入指标库")

    def handle(self, *args, file, apply=False, **options):
        try:
            rows = library_read_yaml(file) if file.lower().endswith((".yaml", ".yml")) else library_read_path(file)
        except OSError as error:
            raise CommandError(f"无法读取 {file}：{error.strerror or error}") from None
        preview = library_preview(rows)
        self._print(rows, preview)
        if preview["errors"]:
            raise CommandError(f"有 {len(preview['errors'])} 处错误，什么也没有导入")
        if not apply:
            self.stdout.write("（仅预览，未写入；加 --apply 导入）")
            return
        try:
            added, updated = library_apply(preview)
        except LibraryImportError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"已导入指标库：新增 {added} 条，更新 {updated} 条")

    def _print(self, rows, preview):
        write = self.stdout.write
        write(f"{rows.source}：新增 {len(preview['add'])} 条，更新 {len(preview['update'])} 条，"
              f"{preview['unchanged']} 条不变，{len(preview['errors'])} 处错误")
        for values in preview["add"]:
            path = f"{values['category_name']} / {values['subcategory_name']} / {values['name']}"
            value = f"（{values['suggested_value']}）" if values["suggested_value"] else ""
            write(f"  + {rows.where(values['row'])} {path}{value}")
        for entry, values in preview["update"]:
            changes = "；".join(
                f"{name}：{getattr(entry, field) or '（空）'} → {values[field] or '（空）'}"
                for field, name in (("description", "指标解释"), ("suggested_value", "建议指标值"), ("basis", "取值依据"))
                if getattr(entry, field) != values[field]
            )
            write(f"  ~ {rows.where(values['row'])} {entry}：{changes}")
        for error in preview["errors"]:
            write(f"  ! {error}")
