from django.core.management.base import BaseCommand, CommandError

from declarations.services.backup import BackupError, restore


class Command(BaseCommand):
    help = "把 backup 生成的备份恢复到一个新建并已迁移的空数据库，并放回媒体文件；逐一核对 SHA-256 和记录数。"

    def add_arguments(self, parser):
        parser.add_argument("source", help="备份目录")

    def handle(self, *args, source, **options):
        try:
            manifest = restore(source=source)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"已恢复 {sum(manifest['counts'].values())} 条记录和 {len(manifest['media'])} 个文件")
