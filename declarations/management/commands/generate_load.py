from django.core.management.base import BaseCommand, CommandError

from declarations.services.load import generate_load, published_files_create


class Command(BaseCommand):
    help = (
        "生成压力测试数据：B 个财政局（五种版式轮流）、共 U 个单位、每单位 P 个项目和一份部门整体申报，"
        "每份约 I 个指标，状态分布为草稿/已提交/退回/审核通过/已公开。可重复执行（新建财政局，不与已有数据冲突）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--bureaus", type=int, required=True, help="财政局个数 B")
        parser.add_argument("--units", type=int, required=True, help="单位总数 U（平均分到各财政局）")
        parser.add_argument("--projects", type=int, required=True, help="每个单位的项目数 P")
        parser.add_argument("--indicators", type=int, required=True, help="每份申报的指标数 I（不少于必填二级个数）")
        parser.add_argument("--year", type=int, default=2026, help="预算年度（默认 2026）")
        parser.add_argument("--seed", type=int, default=1, help="随机种子（默认 1）")
        parser.add_argument("--files", type=int, default=0, metavar="N",
                            help="另为 N 个已公开单位生成公开文件（PDF/Excel/JSON/CSV，较慢；默认 0）")
        parser.add_argument("--monitoring", action="store_true",
                            help="另为审核通过、已公开的项目生成 1-7月运行监控（每个财政局一批，每项目一张监控表）")
        parser.add_argument("--self-evaluation", action="store_true",
                            help="另为审核通过、已公开的项目生成绩效自评表")

    def handle(self, *args, bureaus, units, projects, indicators, year, seed, files, monitoring=False,
               self_evaluation=False, **options):
        try:
            result = generate_load(bureaus=bureaus, units=units, projects=projects, indicators=indicators,
                                   year=year, seed=seed, echo=self.stdout.write)
        except ValueError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"{year} 年度已生成（{result.seconds:.1f} 秒）：")
        for name, count in result.counts.items():
            self.stdout.write(f"  {name:<14} {count}")
        self.stdout.write(
            f"账号：load-reviewer-<财政局id>、load-filler-<单位id>，密码均为 {result.password}"
        )
        if files:
            done = published_files_create(limit=files, unit_ids=set(result.unit_ids))
            self.stdout.write(f"已为 {len(done)} 个单位生成公开文件")
        if monitoring or self_evaluation:
            # Imported here: the evaluation app builds on the declarations, not the other way round.
            from evaluation.load import evaluation_load

            made = evaluation_load(year=year, monitoring=monitoring, self_evaluation=self_evaluation, seed=seed)
            self.stdout.write("运行监控与绩效自评：" + "，".join(f"{name} {count}" for name, count in made.items()))
