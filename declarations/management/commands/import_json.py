from django.core.management.base import BaseCommand, CommandError

from declarations.services.documents import DocumentError
from declarations.services.importing import document_import, document_read


class Command(BaseCommand):
    help = (
        "从 JSON 交换格式（见 docs/interchange.md）导入一个单位某年度的整本文档：没有申报时新建；"
        "已有的申报都是草稿或退回修改时整体替换；有已提交、审核通过或已公开的申报时拒绝。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="JSON 文件路径（不超过 20 MB）")
        parser.add_argument("--unit", dest="unit_name", help="文档没有写单位名称时（unit.name 为 null），导入到这个单位")

    def handle(self, *args, file, unit_name=None, **options):
        try:
            result = document_import(data=document_read(file), unit_name=unit_name)
        except OSError as error:
            raise CommandError(f"无法读取 {file}：{error.strerror or error}") from None
        except DocumentError as error:
            raise CommandError(f"未导入 {file}：\n{error}") from None
        parts = (["部门整体 1 份"] if result.department else []) + [f"项目 {result.projects} 个"]
        replaced = f"，替换了原有 {result.removed} 份申报" if result.removed else ""
        self.stdout.write(f"已导入 {result.unit.name} {result.year}年：{'、'.join(parts)}{replaced}")
