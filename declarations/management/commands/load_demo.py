from django.core.management.base import BaseCommand

from declarations.services.demo import demo_load


class Command(BaseCommand):
    help = "载入五份示范文档（种子数据）及演示账号；重复执行不会改变已有数据。"

    def handle(self, *args, **options):
        results, accounts, password = demo_load()
        for result in results:
            state = "已载入" if result.created else "已存在，未改动"
            self.stdout.write(f"{result.year}年 {result.unit.name}：{state}")
        self.stdout.write("")
        self.stdout.write("演示账号（密码均为 %s）：" % password)
        for user in accounts:
            scope = user.unit or user.bureau or "全部"
            self.stdout.write(f"  {user.username:<14} {user.get_role_display()}  {scope}")
