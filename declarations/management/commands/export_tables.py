from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from declarations.exports.registry import FORMATS, export_document
from declarations.models import Unit


class Command(BaseCommand):
    help = "按单位所属财政局的版式导出该单位某年度的整本绩效目标文档（PDF 或 Excel）。"

    def add_arguments(self, parser):
        parser.add_argument("--unit", required=True, help="单位名称或单位编码")
        parser.add_argument("--year", required=True, type=int, help="预算年度，如 2025")
        parser.add_argument("--format", required=True, choices=sorted(FORMATS), dest="fmt")
        parser.add_argument("--out", required=True, help="输出文件路径")

    def handle(self, *args, unit, year, fmt, out, **options):
        units = list(Unit.objects.filter(Q(name=unit) | Q(code=unit)).select_related("bureau"))
        if not units:
            raise CommandError(f"找不到单位“{unit}”（按名称或编码）")
        if len(units) > 1:
            names = "，".join(f"{u}（{u.bureau.name}）" for u in units)
            raise CommandError(f"“{unit}”对应多个单位：{names}；请用另一个名称或编码")
        target = units[0]
        if not Unit.objects.filter(pk=target.pk).filter(
            Q(departmentdeclarations__year__year=year) | Q(projectdeclarations__year__year=year)
        ).exists():
            raise CommandError(f"{target.name} 没有 {year} 年度的申报")
        _filename, _content_type, content = export_document(unit=target, year=year, fmt=fmt)
        path = Path(out)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        self.stdout.write(f"已导出 {target.name} {year}年 {FORMATS[fmt]}：{path}（{len(content)} 字节）")
