from django.core.management.base import BaseCommand

from declarations.services.demo import demo_load, demo_publish


class Command(BaseCommand):
    help = "载入五份示范文档（种子数据）及演示账号；重复执行不会改变已有数据。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--publish", action="store_true",
            help="把仍为草稿的示范申报依次提交、审核通过并公开（示范文档本是已公开的文件）",
        )
        parser.add_argument(
            "--keep-demo-passwords", action="store_true",
            help="演示账号不必先修改密码（仅供 make run 本机演示；其他环境中演示账号首次登录须改密码）",
        )

    def handle(self, *args, publish=False, keep_demo_passwords=False, **options):
        results, accounts, password = demo_load(must_change_password=not keep_demo_passwords)
        for result in results:
            state = "已载入" if result.created else "已存在，未改动"
            self.stdout.write(f"{result.year}年 {result.unit.name}：{state}")
        if publish:
            count = demo_publish()
            self.stdout.write(f"已提交、审核通过并公开 {count} 份示范申报（已公开的不再重复）")
        self.stdout.write("")
        self.stdout.write("演示账号（密码均为 %s）：" % password)
        for user in accounts:
            scope = user.unit or user.bureau or "全部"
            self.stdout.write(f"  {user.username:<14} {user.get_role_display()}  {scope}")
