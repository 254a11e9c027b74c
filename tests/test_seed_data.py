"""The demo data holds every value of the five seed documents (tests/seeds/)."""
from datetime import date
from decimal import Decimal

import pytest

from declarations.models import CoverNote, DepartmentDeclaration, ProjectDeclaration, Unit

from .conftest import SEEDS
from .seed_text import cells_missing_from_database, seed_cells

# Text that the layouts print around the data: headings, column and row labels. These are
# not data; the exports' golden tests check them where a layout prints them.
LAYOUT_LABELS = {
    "第一部分", "部门整体绩效目标", "一、总体绩效目标", "二、分项绩效目标", "三、工作保障措施", "第二部分",
    "预算项目绩效目标", "单位：万元", "项目编码", "项目名称", "预算规模及资金用途", "资金支出计划（%）",
    "一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值", "指标值确定依据", "目录",
    "第一部分部门整体绩效目标", "第二部分预算项目绩效目标", "预算数", "其中：财政资金", "其他资金",
    "单位名称", "单位主要职能", "机构设置及人员配置", "部门整体资金(万元)", "资金来源", "全年预算数", "资金总额",
    "财政拨款", "小计", "一般公共预算资金", "政府性基金预算", "财政专户管理资金", "国有资本经营预算", "社保基金预算",
    "上年结转资金", "支出", "半年计划执行数", "基本支出", "项目支出", "中长期目标", "年度目标", "绩效目标指标",
    "半年指标值", "全年指标值", "主管部门", "项目属性", "项目级次", "项目类别", "开始时间", "完成时间", "实施单位:",
    "项目资金(万元)", "全年(程)预算数", "半年(程)计划执行数", "立项必要性", "实施可行性", "项目实施内容",
    "计算符号", "半年（程）指标值", "全年（程）指标值", "数值", "部门整体绩效目标申报表", "部门（单位）名称",
    "填报人", "联系电话", "部门总体", "资金情况", "总体资金情况", "当年金额", "占比", "近两年收支金额", "构成",
    "单位资金", "合计", "人员类项目支出", "运转类项目支出", "特定目标类项目支出", "部门职能概述", "年度工作任务",
    "项目支出情况", "支出项目类别", "项目总预算", "项目本年度预算", "项目主要支出方向和用途", "整体绩效", "总目标",
    "长期目标：", "长期绩", "一级", "指标分类", "年度目标：", "年度绩效指标", "近两年指标值", "预期当年实现值",
    "前年", "上年", "实施单位", "项目期", "年度资金总额", "其中：财政拨款", "结余结转", "附件2",
    "如皋市市级部门整体预算绩效目标表", "如皋市市级项目预算绩效目标表", "2021年自治区本级部门项目支出预算绩效目标表",
}
# Headings that join a label to data; the data in them is asserted one by one below.
HEADINGS_WITH_DATA = {
    "hebei-zunhua-2024": {"1.驻京工作经费绩效目标表", "2.信访群众工作中心办公费绩效目标表", "3.信访维稳专项工作经费绩效目标表"},
    "hebei-laoting-2025": {"2025年部门预算绩效文本", "乐亭县信访局编制", "1.解决特殊疑难问题资金绩效目标表", "2.信访专项资金绩效目标表"},
    "jiangsu-rugao-2024": {
        "(2024年度)", "填报单位(盖章):如皋市信访局", "其中：项目1：联席会办信访资金",
        "项目负责人/联系电话:季彬15062777817", "项目负责人/联系电话:谢翠东15162888739",
        # The seed's markup, not text: the functions are stored without the <p> tag.
        "<p>(一)负责处理市内外群众、法人及其他组织通过书信、电子邮件、传真、电话、走访等形式,向市委、市政府及领导同志提出的信访事项。承办上级机关和市委、市政府、市人大、市政协等领导机关以及市领导转送、交办、督办的信访事项。(二)负责向市委、市政府反映信访人提出的重要建议、意见和问题,综合研判信访信息,开展调查研究,提出改进工作或制定修改完善有关政策的建议。负责征集人民群众的建议,筛选重要建议,提供给市委、市政府参考。(三)督促推动党中央、国务院和省委、省政府,南通市委、市政府,如皋市委、市政府关于信访工作决策部署的贯彻落实,督促检查领导同志有关批示件的落实情况,拟订信访督查制度并组织实施。向镇(区、街道)和有关部门、企事业单位转送、交办、督办信访事项,指导检查重要信访事项的处理和落实。代表市政府办理申请市政府复查的信访事项。(四)协调处理我市群众进京去省到通上访相关工作。负责驻京、驻宁日常信访保障工作,组织协调及时劝返本地越级上访群众。应急协调处理重大信访事项和异常、突发信访事件。配合公安机关等部门处理信访活动中的违法行为。综合协调处理跨地区、跨部门、跨行业重要信访问题。(五)综合协调指导全市信访工作。起草、修改本市有关信访工作的政策制度。负责组织实施对全市信访工作考核。总结推广信访工作经验,提出改进和加强信访工作的意见和建议。(六)制定信访问题排查化解制度并组织实施,建立和完善信访信息汇集分析机制、预警研判机制,指导全市信访信息化建设。(七)指导全市信访系统教育培训和队伍建设,协调信访工作对外交流。(八)负责信访工作宣传和信息发布。为信访人提供有关法律、法规、政策咨询。(九)承担市信访工作联席会议的具体工作,督促落实联席会议决定的事项。承办中央、省和南通市信访工作联席会议办公室交办事项。(十)按照国务院《信访条例》和《江苏省信访条例》规定,对有关单位及信访干部、信访群众提出奖励或处罚的建议。(十一)完成市委、市政府交办的其他任务。</p>",
    },
    "hubei-yangxin-2026": {"填报日期：2025年11月26日单位：万元", "2024年", "长期目标（截止2029年）", "（截止2029年）"},
    "ningxia-guyuan-2021": {"附件：2021年市本级部门项目支出预算绩效目标表"},
}


def _unit(seed):
    name, _year = SEEDS[seed]
    return Unit.objects.get(name=name)


@pytest.mark.parametrize("seed", SEEDS)
def test_every_data_cell_of_the_seed_is_in_the_database(db, seed):
    name, year = SEEDS[seed]
    missing = set(cells_missing_from_database(seed, _unit(seed), year))
    assert missing - LAYOUT_LABELS - HEADINGS_WITH_DATA[seed] == set()


@pytest.mark.parametrize("seed", SEEDS)
def test_the_allowed_labels_are_really_in_the_seed(seed):
    # Guards the allow-lists: a label that is not in the seed would hide nothing and is a typo.
    cells = set(seed_cells(seed))
    assert HEADINGS_WITH_DATA[seed] <= cells


def _indicator_counts(seed):
    name, year = SEEDS[seed]
    return [
        p.indicators.count()
        for p in ProjectDeclaration.objects.filter(unit__name=name, year__year=year).order_by("order")
    ]


@pytest.mark.parametrize(
    "seed, counts",
    [
        ("hebei-zunhua-2024", [6, 6, 6]),
        ("hebei-laoting-2025", [7, 7]),
        ("jiangsu-rugao-2024", [15, 15, 15, 15]),
        ("hubei-yangxin-2026", [0, 0, 0, 0]),
        ("ningxia-guyuan-2021", [7, 7, 7, 6]),
    ],
)
def test_each_project_has_the_seeds_number_of_indicators(db, seed, counts):
    assert _indicator_counts(seed) == counts


def test_rugao_department_lists_its_four_projects_with_their_budgets(db):
    projects = ProjectDeclaration.objects.filter(unit__name="如皋市信访局", year__year=2024).order_by("order")
    assert [(p.name, p.budget, p.half_year_plan) for p in projects] == [
        ("联席会办信访资金", Decimal("10"), Decimal("5")),
        ("信访救助资金", Decimal("80"), Decimal("40")),
        ("信访驻京统一办公费用", Decimal("15"), Decimal("7.5")),
        ("信访驻外应急小组费用", Decimal("80"), Decimal("40")),
    ]
    dept = DepartmentDeclaration.objects.get(unit__name="如皋市信访局", year__year=2024)
    project_line = dept.money_lines.get(kind="project")
    assert (project_line.half_year_amount, project_line.amount) == (Decimal("92.5"), Decimal("185"))
    assert project_line.amount == sum(p.budget for p in projects)
    assert dept.indicators.count() == 36
    assert [p.owner_name for p in projects] == ["季彬", "季彬", "谢翠东", "谢翠东"]


def test_zunhua_first_project_keeps_its_title_and_name_apart(db):
    project = ProjectDeclaration.objects.get(code="13028124P00096710001G")
    assert (project.printed_title_name, project.name) == ("驻京工作经费", "驻京信访工作经费")
    assert [(p.label, p.percent) for p in project.spending_plan.all()] == [
        ("3月底", Decimal("30")), ("6月底", Decimal("60")), ("10月底", Decimal("90")), ("12月底", Decimal("100")),
    ]
    rows = [(i.subcategory.name, i.name, i.value_display, i.basis) for i in project.indicators.all()]
    assert rows[0] == ("数量指标", "有效化解信访完成率", "≥95%", "遵办字[2019]28号")
    assert rows[-1] == ("服务对象满意度指标", "信访群众满意度", "≥90%", "年初工作计划")


def test_laoting_projects_belong_to_the_unit_below_its_department(db):
    unit = Unit.objects.get(code="482001")
    assert (unit.name, unit.parent.name) == ("乐亭县信访局本级", "乐亭县信访局")
    dept = DepartmentDeclaration.objects.get(unit=unit)
    assert (dept.printed_name, dept.compiled_by, dept.year.year) == ("乐亭县信访局", "乐亭县信访局", 2025)
    assert dept.sub_goals.count() == 2 and dept.safeguards.count() == 7
    values = [i.value_display for i in ProjectDeclaration.objects.get(code="13022525P00RERB10015T").indicators.all()]
    assert values == ["≤10批次", "≤100%", "≤100%", "≤185万元", "显著改善", "有效化解", "≥90%"]


def test_yangxin_department_keeps_its_printed_shares_and_earlier_years(db):
    dept = DepartmentDeclaration.objects.get(unit__name="阳新县信访局", year__year=2026)
    personnel = dept.money_lines.get(kind="personnel")
    assert (personnel.amount, personnel.share, personnel.prior_amount_1, personnel.prior_amount_2) == (
        Decimal("314.72"), Decimal("83.99"), Decimal("282.40"), Decimal("229.85"),
    )
    assert (dept.filler_name, dept.filler_phone, dept.fill_date) == ("徐子昂", "18772357812", date(2025, 11, 26))
    assert dept.long_term_end_year == 2029
    assert dept.indicators.filter(term="long").count() == 39
    assert dept.indicators.filter(term="annual").count() == 42
    income = sum(line.amount for line in dept.money_lines.filter(direction="income"))
    expense = sum(line.amount for line in dept.money_lines.filter(direction="expense"))
    assert income == expense == Decimal("374.13")
    summary = ProjectDeclaration.objects.filter(unit=dept.unit, year=dept.year)
    assert sum(p.budget for p in summary) == dept.money_lines.get(kind="specific").amount


def test_guyuan_prints_six_decimal_amounts_and_a_cover_note(db):
    cover = CoverNote.objects.get(unit__name="固原市信访局")
    assert (cover.signed_by, cover.signed_on) == ("固原市信访局", date(2021, 2, 20))
    budgets = list(
        ProjectDeclaration.objects.filter(unit__name="固原市信访局").order_by("order").values_list("budget", flat=True)
    )
    assert budgets == [Decimal("2"), Decimal("1"), Decimal("2.5"), Decimal("0.5")]
    framework_labels = [
        s.label for s in _unit("ningxia-guyuan-2021").bureau.layout.frameworks.get(table_kind="project").categories.get(
            name="效益指标").subcategories.all()
    ]
    assert "经济效益指标（选填）" in framework_labels


def test_the_comparison_notices_a_lost_indicator(db):
    project = ProjectDeclaration.objects.get(code="13028124P000968100016")
    project.indicators.get(name="外地信访值班任务数量").delete()
    missing = cells_missing_from_database("hebei-zunhua-2024", project.unit, 2024)
    assert "外地信访值班任务数量" in missing
    assert "≥10次" in missing
