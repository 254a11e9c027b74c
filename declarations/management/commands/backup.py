from django.core.management.base import BaseCommand, CommandError

from declarations.services.backup import BackupError, backup


class Command(BaseCommand):
    help = "备份数据库（一致的快照）和媒体文件（含公开文件），附记录数和 SHA-256 清单。"

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, help="备份目录（须为空或不存在）")

    def handle(self, *args, out, **options):
        try:
            manifest = backup(out=out)
        except BackupError as error:
            raise CommandError(str(error)) from None
        records = sum(manifest["counts"].values())
        self.stdout.write(f"已备份 {records} 条记录和 {len(manifest['media'])} 个文件到 {out}")
