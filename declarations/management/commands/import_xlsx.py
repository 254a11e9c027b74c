from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from accounts.models import Role, User
from declarations.models import Unit
from declarations.services.workbook_import import WorkbookError, workbook_import


class Command(BaseCommand):
    help = "导入由本系统导出、在 Excel/WPS 中修改过的工作簿，更新该单位该年度的草稿；文件有任何问题则不作改动。"

    def add_arguments(self, parser):
        parser.add_argument("file", help=".xlsx 文件")
        parser.add_argument("--unit", required=True, help="单位名称或单位编码")
        parser.add_argument("--year", required=True, type=int, help="预算年度")

    def handle(self, *args, file, unit, year, **options):
        units = list(Unit.objects.filter(Q(name=unit) | Q(code=unit)))
        if len(units) != 1:
            raise CommandError(f"找不到唯一的单位“{unit}”（按名称或编码）")
        target = units[0]
        # The command acts as the unit's filler: the same rules as the web upload.
        user = User.objects.filter(role=Role.FILLER, unit=target).first() or User.objects.filter(
            is_superuser=True).first()
        if user is None:
            raise CommandError("没有可用于导入的账号（该单位的填报人或管理员）")
        try:
            result = workbook_import(content=Path(file).read_bytes(), unit=target, year=year, user=user)
        except WorkbookError as error:
            raise CommandError("没有导入：\n" + "\n".join(error.problems)) from None
        self.stdout.write(f"已导入 {target.name} {year}年，共更新 {result.total} 处")
