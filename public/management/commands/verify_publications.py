from django.core.management.base import BaseCommand, CommandError

from public.services_integrity import verify_publications


class Command(BaseCommand):
    help = "重新计算所有公开文件的 SHA-256，并核对各表的开放数据与审核通过的版本；发现不符时以非零状态退出。"

    def handle(self, *args, **options):
        checked, problems = verify_publications()
        for problem in problems:
            self.stderr.write(problem.message)
        if problems:
            raise CommandError(f"检查了 {checked} 个文件，发现 {len(problems)} 处不符")
        self.stdout.write(f"检查了 {checked} 个文件，全部一致")
