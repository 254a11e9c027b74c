from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from indicators.models import Layout
from declarations.services.layouts import layout_bundle_export
from indicators.services import layout_to_text


class Command(BaseCommand):
    help = (
        "导出一个版式：名称、各表类型的一级/二级指标及顺序、必填、标注（格式与 "
        "indicators/fixtures/frameworks/*.yaml 相同）和打印定义 definition，可在另一套系统中用 import_layout 导入。"
    )

    def add_arguments(self, parser):
        parser.add_argument("code", help="版式代码，如 hebei")
        parser.add_argument("-o", "--out", help="输出文件；以 .json 结尾时写 JSON，否则写 YAML。不给时写到屏幕")
        parser.add_argument("--format", choices=["yaml", "json"], help="输出格式（默认按文件扩展名，否则 YAML）")

    def handle(self, *args, code, out=None, format=None, **options):
        layout = Layout.objects.filter(code=code).first()
        if layout is None:
            known = "、".join(Layout.objects.values_list("code", flat=True)) or "（没有版式）"
            raise CommandError(f"没有版式“{code}”（已有：{known}）")
        fmt = format or ("json" if out and out.lower().endswith(".json") else "yaml")
        text = layout_to_text(layout_bundle_export(layout=layout), fmt=fmt)
        if not out:
            self.stdout.write(text, ending="")
            return
        try:
            Path(out).write_text(text, encoding="utf-8")
        except OSError as error:
            raise CommandError(f"无法写入 {out}：{error.strerror or error}") from None
        self.stdout.write(f"已导出版式 {layout.code}（{layout.name}）：{out}")
