from django.core.management.base import BaseCommand, CommandError

from declarations.services.layouts import LayoutDefinitionError, layout_bundle_import
from indicators.services import LayoutImportError, layout_read


class Command(BaseCommand):
    help = (
        "从 export_layout 导出的 .yaml 或 .json 文件新建或更新一个版式：一级/二级指标按名称对应，"
        "顺序、必填和标注以文件为准，文件中没有的删除；申报仍在使用的二级指标不删除，整个导入被拒绝。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="版式定义文件（.yaml、.yml 或 .json）")

    def handle(self, *args, file, **options):
        try:
            result = layout_bundle_import(data=layout_read(file))
        except OSError as error:
            raise CommandError(f"无法读取 {file}：{error.strerror or error}") from None
        except LayoutImportError as error:
            raise CommandError(f"未导入 {file}：\n{error}") from None
        except LayoutDefinitionError as error:
            raise CommandError(f"未导入 {file}：打印定义 definition 有误：\n" + "\n".join(error.messages)) from None
        layout = result["layout"]
        action = "新建" if result["created"] else "更新"
        self.stdout.write(
            f"已{action}版式 {layout.code}（{layout.name}）：一级/二级新增 {result['added']} 个、"
            f"修改 {result['changed']} 个、删除 {result['removed']} 个"
        )
