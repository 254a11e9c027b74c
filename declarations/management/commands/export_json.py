from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from declarations.services.interchange import document_to_json
from declarations.services.units import UnitLookupError, unit_by_name_or_code, unit_has_declarations


class Command(BaseCommand):
    help = "把某单位某年度的整本绩效目标文档导出为 JSON 交换格式（见 docs/interchange.md），可用 import_json 导回。"

    def add_arguments(self, parser):
        parser.add_argument("--unit", required=True, help="单位名称或单位编码")
        parser.add_argument("--year", required=True, type=int, help="预算年度，如 2025")
        parser.add_argument("--out", required=True, help="输出文件路径（.json）")

    def handle(self, *args, unit, year, out, **options):
        try:
            target = unit_by_name_or_code(unit)
        except UnitLookupError as error:
            raise CommandError(str(error)) from None
        if not unit_has_declarations(target, year):
            raise CommandError(f"{target.name} 没有 {year} 年度的申报")
        text = document_to_json(target, year)
        path = Path(out)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        size = len(text.encode("utf-8"))
        self.stdout.write(f"已导出 {target.name} {year}年 JSON：{path}（{size} 字节）")
