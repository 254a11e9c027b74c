"""Generated load: finance bureaus, units and declarations in every state, for benchmarks and budgets.

`generate_load(bureaus=B, units=U, projects=P, indicators=I)` makes B finance bureaus spread over the
five layouts, U units spread over the bureaus, per unit P project declarations and one 部门整体
declaration, each with about I indicators (never fewer than the framework's mandatory 二级 need),
money that adds up, and a state: draft, submitted, returned, approved or published (40/15/5/15/25%).
Every declaration that left the draft has its submitted snapshot (the interchange shape, built
from the rows in memory, so `review.services.serialize(declaration) == snapshot.data`), the
events and reviews of its way there, and published ones a Publication and the unit's
DocumentRelease (without files: `published_files_create` makes them for a subset, later).

`units_add` puts more units into existing bureaus, `projects_add` more projects into an existing
unit and year, `indicators_add` more indicators into one declaration (the query budgets grow the
demo's own pages with them).

Everything is written with bulk_create in transactions of a few hundred units; nothing goes
through save(), signals or django-simple-history. A second run adds new bureaus (names that are
taken are skipped) and so never collides with the first.
"""
import logging
import random
import time
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Max, Q

from accounts.models import Role, User
from indicators.models import Layout, Subcategory, TableKind

from ..models import (
    BudgetYear,
    DepartmentDeclaration,
    Direction,
    FinanceBureau,
    GoalItem,
    Indicator,
    MoneyLine,
    ProjectDeclaration,
    SafeguardMeasure,
    SpendingCheckpoint,
    Status,
    SubGoal,
    Term,
    Unit,
)
from ..values import QUALITATIVE
from .documents import frameworks_load_dir
from .interchange import department_to_dict, header_of, project_to_dict

logger = logging.getLogger(__name__)

FRAMEWORK_DIR = Path(settings.BASE_DIR) / "indicators" / "fixtures" / "frameworks"
LAYOUTS = ["hebei", "jiangsu", "ningxia", "hubei", "national"]
BATCH_SIZE = 5000
UNITS_PER_TRANSACTION = 200
PASSWORD = "load-test-password"
CENT = Decimal("0.01")
RETURN_REASON = "请补充指标值确定依据，细化产出指标。"

# The share of each state, as a block of 20 declarations shuffled: 40/15/5/15/25 %.
STATE_BLOCK = (
    [Status.DRAFT] * 8 + [Status.SUBMITTED] * 3 + [Status.RETURNED] * 1 + [Status.APPROVED] * 3
    + [Status.PUBLISHED] * 5
)

# --- names ----------------------------------------------------------------------------------

PROVINCES = {
    "hebei": ["河北省"],
    "jiangsu": ["江苏省"],
    "ningxia": ["宁夏回族自治区"],
    "hubei": ["湖北省"],
    "national": ["山东省", "河南省", "四川省", "湖南省", "安徽省", "福建省", "广西壮族自治区", "云南省"],
}
PLACE_FIRST = "安宝昌长丰阜广海和怀嘉建江金景乐临灵隆宁平青清庆瑞沙寿顺泰太天通万望文武西仙新兴阳永玉元云枣泽正中"
PLACE_SECOND = "安城川定丰谷和河化江康乐林陵宁平山水台田兴阳源远州"
PLACE_KINDS = ["市", "县"]
# (unit name, stem for its projects' names)
DEPARTMENTS = [
    ("信访局", "信访"), ("教育局", "教育"), ("财政局", "财政"), ("卫生健康委员会", "卫生健康"), ("民政局", "民政"),
    ("人力资源和社会保障局", "人社"), ("自然资源和规划局", "自然资源"), ("住房和城乡建设局", "住建"),
    ("交通运输局", "交通运输"), ("水利局", "水利"), ("农业农村局", "农业农村"), ("商务局", "商务"),
    ("文化广电和旅游局", "文旅"), ("应急管理局", "应急管理"), ("市场监督管理局", "市场监管"), ("统计局", "统计"),
    ("医疗保障局", "医疗保障"), ("林业局", "林业"), ("审计局", "审计"), ("司法局", "司法行政"),
    ("生态环境局", "生态环境"), ("退役军人事务局", "退役军人"), ("科学技术局", "科技"), ("工业和信息化局", "工信"),
    ("发展和改革局", "发展改革"), ("档案馆", "档案"), ("机关事务服务中心", "机关事务"), ("融媒体中心", "融媒体"),
    ("图书馆", "图书馆"), ("疾病预防控制中心", "疾控"),
]
SUB_UNITS = ["本级", "综合执法大队", "信息中心", "服务中心", "培训中心", "监测站", "事务中心", "技术推广站"]
PROJECT_TOPICS = [
    "专项工作经费", "信息化建设运维经费", "办公场所租赁费", "业务培训经费", "宣传工作经费", "专项业务经费",
    "设备购置经费", "档案数字化经费", "安全生产专项经费", "政府购买服务经费", "督查督办经费", "应急处置经费",
    "课题调研经费", "执法装备购置经费", "公共服务提升经费",
]
INDICATOR_NOUNS = [
    "信访事项办理", "业务培训", "宣传活动", "设备购置", "档案整理", "系统运维", "督查督办", "矛盾纠纷化解",
    "来访接待", "网上办理", "专项检查", "政策落实", "资金使用", "服务保障", "群众诉求办理", "人员培训",
]
COUNT_UNITS = ["件", "次", "人次", "批次", "个", "场"]
QUALITATIVE_EFFECTS = ["有效改善", "稳步提升", "长期有效", "明显改善", "持续向好", "得到保障"]
BASES = ["计划标准", "历史标准", "行业标准", "预算支出标准"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚"


@dataclass
class LoadResult:
    year: int
    counts: dict = field(default_factory=dict)
    seconds: float = 0.0
    bureau_ids: list = field(default_factory=list)
    unit_ids: list = field(default_factory=list)
    password: str = PASSWORD

    def add(self, name, number):
        self.counts[name] = self.counts.get(name, 0) + number


def _money(value):
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def _stem(subcategory_name):
    """数量指标 → 数量, 核心业务产出1 → 核心业务产出."""
    name = subcategory_name.rstrip("0123456789")
    return name[:-2] if name.endswith("指标") and len(name) > 2 else name


MEASURED = ("满意", "数量", "产出", "质量", "时效", "成本", "效益", "效应", "影响", "可持续", "支撑", "改革")
MANAGEMENT_SUFFIXES = ["完成率", "规范性", "达标率", "合规性", "执行率", "健全性"]


def _indicator_name(sub, noun, seen):
    """A 三级 name from the 二级: 业务培训数量, 来访接待服务对象满意度, 公用经费控制率, 项目立项规范性."""
    stem = _stem(sub.name)
    if "产出" in stem:
        name = f"{noun}完成数"
    elif any(word in stem for word in MEASURED) and "控制" not in stem:
        name = f"{noun}{stem}"
    else:
        name = f"{stem}{MANAGEMENT_SUFFIXES[seen % len(MANAGEMENT_SUFFIXES)]}"
        seen //= len(MANAGEMENT_SUFFIXES)
        if seen:
            name = f"{noun}{name}"
        return name
    if seen >= len(INDICATOR_NOUNS):
        name += f"（{seen // len(INDICATOR_NOUNS) + 1}）"
    return name


def _layout_definition(code):
    from ..exports.layouts import get_layout

    return get_layout(code)


class _Framework:
    """One layout and table kind: its 二级 in printed order (category cached) and the mandatory ones."""

    def __init__(self, subcategories):
        self.subcategories = subcategories
        self.mandatory = [sub for sub in subcategories if sub.mandatory]
        self.rank = {sub.pk: n for n, sub in enumerate(subcategories)}


def _frameworks():
    found = {}
    for sub in Subcategory.objects.select_related("category__framework__layout").order_by(
        "category__framework_id", "category__order", "order", "pk"
    ):
        framework = sub.category.framework
        found.setdefault((framework.layout.code, framework.table_kind), []).append(sub)
    return {key: _Framework(subs) for key, subs in found.items()}


def indicator_slots(framework, terms, wanted):
    """(term, 二级) of each indicator: every mandatory 二级 of every term once, then round robin over
    all 二级 of all terms until `wanted`; never fewer than the mandatory ones need."""
    slots = [(term, sub) for term in terms for sub in framework.mandatory]
    every = [(term, sub) for term in terms for sub in framework.subcategories]
    position = 0
    while len(slots) < wanted and every:
        slots.append(every[position % len(every)])
        position += 1
    return slots


def indicator_count(framework, terms, wanted):
    return max(wanted, len(framework.mandatory) * len(terms)) if framework.subcategories else 0


# --- one run -----------------------------------------------------------------------------------

class _Generator:
    """One run: holds the seeded random source, the frameworks, layouts and budget year."""

    def __init__(self, *, projects, indicators, year, seed, echo=None, status=None):
        self.projects_per_unit, self.indicators_per_declaration = projects, indicators
        self.status = status
        self.year_number, self.rng, self.echo = year, random.Random(seed), echo or (lambda message: None)
        self.states = []
        self.password = make_password(PASSWORD)  # hashed once, the same for every generated account
        frameworks_load_dir(FRAMEWORK_DIR)
        self.year, _ = BudgetYear.objects.get_or_create(year=year)
        self.frameworks = _frameworks()
        self.definitions = {code: _layout_definition(code) for code in LAYOUTS}
        self.started = time.perf_counter()

    # states -----------------------------------------------------------------------------------

    def state(self):
        if self.status:
            return self.status
        if not self.states:
            self.states = list(STATE_BLOCK)
            self.rng.shuffle(self.states)
        return self.states.pop()

    # names ------------------------------------------------------------------------------------

    def _place_names(self, taken):
        """Two-character 市/县 names in a seeded order, skipping bureaus that exist already."""
        rng = random.Random(self.rng.random())
        places = [a + b for a in PLACE_FIRST for b in PLACE_SECOND if a != b]
        rng.shuffle(places)
        for round_number in range(1, 1000):
            for kind in PLACE_KINDS:
                for place in places:
                    name = f"{place}{kind}" if round_number == 1 else f"{place}{kind}{round_number}区"
                    if f"{name}财政局" not in taken:
                        yield name

    def person(self):
        return self.rng.choice(SURNAMES) + "".join(self.rng.choice(GIVEN) for _ in range(self.rng.randint(1, 2)))

    def phone(self):
        return f"0{self.rng.randint(310, 939)}-{self.rng.randint(2000000, 8999999)}"

    # bureaus and units --------------------------------------------------------------------------

    def new_bureaus(self, count, result):
        layouts = {layout.code: layout for layout in Layout.objects.filter(code__in=LAYOUTS)}
        places = self._place_names(set(FinanceBureau.objects.values_list("name", flat=True)))
        bureaus = []
        for n in range(count):
            code = LAYOUTS[n % len(LAYOUTS)]
            place = next(places)
            provinces = PROVINCES[code]
            bureau = FinanceBureau(
                name=f"{place}财政局",
                province=provinces[(n // len(LAYOUTS)) % len(provinces)],
                layout=layouts[code],
                title_prefix=f"{place}{place[-1]}级" if code == "jiangsu" else ("自治区本级" if code == "ningxia" else ""),
            )
            bureau.place = place
            bureaus.append(bureau)
        FinanceBureau.objects.bulk_create(bureaus, batch_size=BATCH_SIZE)
        reviewers = [self._reviewer(bureau) for bureau in bureaus]
        User.objects.bulk_create(reviewers, batch_size=BATCH_SIZE)
        for bureau, reviewer in zip(bureaus, reviewers):
            bureau.reviewer = reviewer
        result.add("bureaus", len(bureaus))
        result.add("users", len(reviewers))
        result.bureau_ids += [bureau.pk for bureau in bureaus]
        return bureaus

    def _reviewer(self, bureau):
        return User(
            username=f"load-reviewer-{bureau.pk}", last_name=f"{bureau.name}审核", role=Role.REVIEWER,
            bureau=bureau, email=f"load-reviewer-{bureau.pk}@example.gov.cn", password=self.password,
        )

    def existing_bureau(self, bureau, result):
        """An existing bureau to add units to: its place name, its reviewer (made when it has none)."""
        bureau = FinanceBureau.objects.select_related("layout").get(pk=bureau.pk)
        if bureau.layout.code not in LAYOUTS:
            raise ValueError(f"{bureau.name}：版式 {bureau.layout.code} 不能生成数据")
        bureau.place = bureau.name.removesuffix("财政局") or bureau.name
        bureau.reviewer = User.objects.filter(role=Role.REVIEWER, bureau=bureau).order_by("pk").first()
        if bureau.reviewer is None:
            bureau.reviewer, created = User.objects.get_or_create(
                username=f"load-reviewer-{bureau.pk}", defaults=model_to_defaults(self._reviewer(bureau))
            )
            result.add("users", int(created))
        return bureau

    def units_plan(self, bureaus, count):
        """[(bureau, name, code, stem)] for `count` units dealt round robin over the bureaus, with
        names and codes the bureau does not use yet."""
        taken = {}
        for bureau_id, name, code in Unit.objects.filter(bureau__in=bureaus).values_list("bureau_id", "name", "code"):
            taken.setdefault(bureau_id, set()).update({("name", name), ("code", code)})
        next_index = {bureau.pk: len(taken.get(bureau.pk, ())) // 2 for bureau in bureaus}
        plan = []
        for n in range(count):
            bureau = bureaus[n % len(bureaus)]
            used = taken.setdefault(bureau.pk, set())
            index = next_index[bureau.pk]
            while True:
                name, code, stem = self._unit_name(bureau, index)
                index += 1
                if ("name", name) not in used and ("code", code) not in used:
                    break
            next_index[bureau.pk] = index
            used.update({("name", name), ("code", code)})
            plan.append((bureau, name, code, stem))
        return plan

    @staticmethod
    def _unit_name(bureau, index):
        name, stem = DEPARTMENTS[index % len(DEPARTMENTS)]
        rounds = index // len(DEPARTMENTS)
        if rounds == 0:
            unit_name = f"{bureau.place}{name}"
        elif rounds <= len(SUB_UNITS):
            unit_name = f"{bureau.place}{name}{SUB_UNITS[rounds - 1]}"
        else:
            unit_name = f"{bureau.place}{name}第{rounds - len(SUB_UNITS) + 1}所"
        return unit_name, f"{900 + index % 100:03d}{index:04d}", stem

    def new_units(self, plan, result):
        units = []
        for bureau, name, code, stem in plan:
            unit = Unit(bureau=bureau, code=code, name=name)
            unit.staff = self.rng.randint(8, 60)
            unit.stem = stem
            units.append(unit)
        Unit.objects.bulk_create(units, batch_size=BATCH_SIZE)
        fillers = [self._filler(unit) for unit in units]
        User.objects.bulk_create(fillers, batch_size=BATCH_SIZE)
        for unit, filler in zip(units, fillers):
            unit.filler = filler
        result.add("units", len(units))
        result.add("users", len(fillers))
        result.unit_ids += [unit.pk for unit in units]
        return units

    def _filler(self, unit):
        return User(
            username=f"load-filler-{unit.pk}", last_name=f"{unit.name}填报", role=Role.FILLER, unit=unit,
            bureau=unit.bureau, email=f"load-filler-{unit.pk}@example.gov.cn", password=self.password,
        )

    def existing_unit(self, unit, result):
        """An existing unit to add projects to: its stem, filler (made when it has none) and reviewer."""
        unit = Unit.objects.select_related("bureau__layout").get(pk=unit.pk)
        unit.bureau = self.existing_bureau(unit.bureau, result)
        unit.stem = next((stem for name, stem in DEPARTMENTS if name in unit.name), "专项")
        unit.filler = User.objects.filter(role=Role.FILLER, unit=unit).order_by("pk").first()
        if unit.filler is None:
            unit.filler, created = User.objects.get_or_create(
                username=f"load-filler-{unit.pk}", defaults=model_to_defaults(self._filler(unit))
            )
            result.add("users", int(created))
        return unit

    # declarations ------------------------------------------------------------------------------

    def indicators(self, owner_field, owner, framework, terms, *, budget=None, definition=None, wanted=None,
                   first_orders=None):
        if wanted is None:
            wanted = indicator_count(framework, terms, self.indicators_per_declaration)
            slots = indicator_slots(framework, terms, wanted)
        else:  # added to a declaration that has its mandatory ones: round robin only
            every = [(term, sub) for term in terms for sub in framework.subcategories]
            slots = [every[n % len(every)] for n in range(wanted)] if every else []
        slots.sort(key=lambda slot: (slot[0] != Term.LONG, framework.rank[slot[1].pk]))
        rows, orders, used = [], dict(first_orders or {}), {}
        start = self.rng.randrange(len(INDICATOR_NOUNS))
        fields = set(definition.indicator_fields) if definition else set()
        for term, sub in slots:
            orders[term] = orders.get(term, 0) + 1
            seen = used.get((term, sub.pk), 0)
            used[(term, sub.pk)] = seen + 1
            name = _indicator_name(sub, INDICATOR_NOUNS[(start + orders[term]) % len(INDICATOR_NOUNS)], seen)
            indicator = Indicator(
                **{owner_field: owner}, subcategory=sub, term=term, order=orders[term], name=name,
                description=f"反映{name}情况" if "description" in fields else "",
                basis=self.rng.choice(BASES) if "basis" in fields else "",
                indicator_class="基本型" if "indicator_class" in fields else "",
            )
            self.value(indicator, sub, budget)
            rows.append(indicator)
        return rows

    def value(self, indicator, sub, budget):
        """A value that fits the 二级: ≥120件, ≥95%, 2026年12月底前, ≤30万元, 有效改善, 规范."""
        name, category = sub.name, sub.category.name
        rng = self.rng
        if "满意" in name or "满意" in category:
            indicator.comparator, indicator.number, indicator.unit = "≥", Decimal(rng.choice([85, 90, 95, 98])), "%"
        elif "数量" in name or "产出" in name:
            indicator.comparator, indicator.number = "≥", Decimal(rng.randint(5, 500))
            indicator.unit = rng.choice(COUNT_UNITS)
        elif "质量" in name:
            indicator.comparator, indicator.number, indicator.unit = "≥", Decimal(rng.choice([90, 95, 98, 100])), "%"
        elif "时效" in name:
            if rng.random() < 0.5:
                indicator.comparator, indicator.number = QUALITATIVE, None
                indicator.text_value = f"{self.year_number}年{rng.choice([6, 9, 11, 12])}月底前"
            else:
                indicator.comparator, indicator.number = "≤", Decimal(rng.choice([5, 10, 15, 30]))
                indicator.unit = "个工作日"
        elif "成本" in name and budget:
            indicator.comparator, indicator.unit = "≤", "万元"
            indicator.number = max(CENT, _money(budget * Decimal(rng.choice(["0.2", "0.3", "0.5"]))))
        elif any(word in name + category for word in ("效益", "效应", "影响", "可持续", "支撑", "改革")):
            indicator.comparator, indicator.number = QUALITATIVE, None
            indicator.text_value = rng.choice(QUALITATIVE_EFFECTS)
        elif indicator.name.endswith("性"):
            indicator.comparator, indicator.number = QUALITATIVE, None
            indicator.text_value = rng.choice(["规范", "合规", "健全", "符合要求"])
        else:
            indicator.comparator, indicator.number = "≥", Decimal(rng.choice([80, 90, 95, 100]))
            indicator.unit = "%"

    def project(self, unit, order, definition, framework, taken_names):
        topic = PROJECT_TOPICS[(order - 1) % len(PROJECT_TOPICS)]
        short = topic.removesuffix("经费").removesuffix("费")
        base = f"{unit.stem}{topic}"
        phase = (order - 1) // len(PROJECT_TOPICS) + 1
        name = base if phase == 1 else f"{base}（{phase}期）"
        while name in taken_names:
            phase += 1
            name = f"{base}（{phase}期）"
        taken_names.add(name)
        budget = _money(Decimal(self.rng.randint(500, 50000)) / 100)
        fiscal = _money(budget * Decimal(self.rng.choice(["1", "1", "0.9", "0.8", "0.75"])))
        other = budget - fiscal
        year = self.year_number
        project = ProjectDeclaration(
            unit=unit, year=self.year, order=order, status=self.state(),
            code=f"{unit.code or unit.pk}P{year}{order:04d}", name=name,
            supervising_department=unit.name, implementing_unit=unit.name,
            attribute=self.rng.choice(["延续项目", "新增项目"]), level="本级",
            category=self.rng.choice(["专项业务类", "运转类", "特定目标类"]),
            owner_name=self.person(), owner_phone=self.phone(),
            budget=budget, fiscal_funds=fiscal, other_funds=other,
            purpose=f"用于{unit.name}{short}相关支出。",
            long_term_goal=f"持续做好{unit.stem}{short}工作，服务保障水平稳步提升。",
            annual_goal=f"{year}年按计划完成{unit.stem}{short}各项任务，资金使用规范高效。",
        )
        if definition.code == "jiangsu":
            project.start_date, project.end_date = date(year, 1, 1), date(year, 12, 31)
            project.half_year_plan = _money(budget / 2)
            project.necessity = f"{unit.stem}工作的法定职责和年度任务要求。"
            project.feasibility = "实施方案成熟，人员和制度保障到位。"
            project.content = f"开展{unit.stem}{short}，按季度推进。"
        else:
            project.period_start_year, project.period_end_year = year, year + 2
        if "mid_term_total" in definition.project_funds_fields:
            project.mid_term_total = budget * 3
        goal_items = []
        if definition.project_goal_items:
            goal_items = [
                GoalItem(project=project, order=1, text=f"完成{unit.stem}{short}年度任务。"),
                GoalItem(project=project, order=2, text="提升服务质量，群众满意度保持在90%以上。"),
            ]
        checkpoints = definition.spending_checkpoints  # Hebei: 3月底 25%, 6月底 50%, 10月底 75%, 12月底 100%
        plan = [
            SpendingCheckpoint(project=project, order=n, label=label, percent=Decimal(100 * n // len(checkpoints)))
            for n, label in enumerate(checkpoints, start=1)
        ]
        money = []
        if definition.project_income_kinds:
            money.append(MoneyLine(project=project, direction=Direction.INCOME, kind="fiscal_general", order=1,
                                   amount=fiscal))
            if other:
                money.append(MoneyLine(project=project, direction=Direction.INCOME, kind="other", order=2, amount=other))
        indicators = self.indicators("project", project, framework, [Term.ANNUAL], budget=budget, definition=definition)
        project._prefetched_objects_cache = {
            "goal_items": goal_items, "milestones": [], "spending_plan": plan, "money_lines": money, "indicators": indicators,
        }
        return project

    def department(self, unit, definition, framework, projects_total):
        year = self.year_number
        department = DepartmentDeclaration(
            unit=unit, year=self.year, status=self.state(), department_name=unit.name, compiled_by=unit.name,
            long_term_goal=f"健全{unit.stem}工作体系，履职能力和公共服务水平持续提升。",
            annual_goal=f"{year}年全面完成{unit.stem}各项重点工作任务。",
            functions=f"负责本地区{unit.stem}工作的组织实施、监督管理和公共服务。",
            organisation=f"内设办公室、业务科、综合科，行政编制{getattr(unit, 'staff', 20)}名。",
        )
        sub_goals, safeguards = [], []
        if definition.department_sub_goals:
            department.overall_goal = f"围绕中心工作，扎实推进{unit.stem}各项任务，确保年度目标全面完成。"
            sub_goals = [
                SubGoal(declaration=department, order=1, title=f"推进{unit.stem}重点工作", goal="按计划完成年度重点任务。",
                        indicators="任务完成率达100%。"),
                SubGoal(declaration=department, order=2, title="提升服务水平", goal="群众满意度稳步提升。",
                        indicators="服务对象满意度≥90%。"),
            ]
            safeguards = [
                SafeguardMeasure(declaration=department, order=1, text="完善制度建设，明确责任分工。"),
                SafeguardMeasure(declaration=department, order=2, text="加强支出管理，确保支出进度达标。"),
            ]
        if definition.code == "hubei":
            department.long_term_end_year = year + 3
            department.annual_goal_brief = f"{year}年度{unit.stem}工作目标。"
            department.annual_tasks = f"1.完成{unit.stem}日常工作；2.推进重点项目实施。"
            department.filler_name, department.filler_phone = self.person(), self.phone()
            department.fill_date = date(year - 1, 10, 15)
        money = self.department_money(department, definition, projects_total)
        indicators = self.indicators("department", department, framework, list(definition.department_terms),
                                     definition=definition)
        department._prefetched_objects_cache = {
            "sub_goals": sub_goals, "safeguards": safeguards, "money_lines": money, "indicators": indicators,
        }
        return department

    def department_money(self, department, definition, projects_total):
        """Income = expense; the 项目支出 / 特定目标类 line is the sum of the unit's project budgets."""
        income_kinds, expense_kinds = definition.department_income_kinds, definition.department_expense_kinds
        if not income_kinds or not expense_kinds:  # Hebei prints no money table
            return []
        basic = _money(Decimal(self.rng.randint(5000, 200000)) / 100)
        total = basic + projects_total
        if "personnel" in expense_kinds:
            personnel = _money(basic * Decimal("0.8"))
            expense = {"personnel": personnel, "operating": basic - personnel, "specific": projects_total}
        else:
            expense = {"basic": basic, "project": projects_total}
        fiscal = _money(total * Decimal(self.rng.choice(["1", "0.95", "0.9"])))
        income = {income_kinds[0]: fiscal}
        if total - fiscal:
            income["unit_funds" if "unit_funds" in income_kinds else income_kinds[-1]] = total - fiscal
        half = "half_year_amount" in definition.department_money_columns
        lines = []
        for direction, amounts in ((Direction.INCOME, income), (Direction.EXPENSE, expense)):
            for order, (kind, amount) in enumerate(amounts.items(), start=1):
                lines.append(MoneyLine(
                    department=department, direction=direction, kind=kind, order=order, amount=amount,
                    half_year_amount=_money(amount / 2) if half else None,
                ))
        return lines

    # writing --------------------------------------------------------------------------------------

    def write(self, units, result, *, projects=None, with_department=True, existing=False):
        """Projects (and the 部门整体) of each unit, their rows, and the review records of their states."""
        projects_per_unit = self.projects_per_unit if projects is None else projects
        taken, first_order = {}, {}
        if existing:
            for unit_id, name, order in ProjectDeclaration.objects.filter(
                unit__in=units, year=self.year
            ).values_list("unit_id", "name", "order"):
                taken.setdefault(unit_id, set()).add(name)
                first_order[unit_id] = max(first_order.get(unit_id, 0), order)
        projects, departments = [], []
        for unit in units:
            code = unit.bureau.layout.code
            definition = self.definitions[code]
            framework = self.frameworks[(code, TableKind.PROJECT)]
            start = first_order.get(unit.pk, 0)
            mine = [
                self.project(unit, start + n, definition, framework, taken.setdefault(unit.pk, set()))
                for n in range(1, projects_per_unit + 1)
            ]
            projects += mine
            if with_department:
                total = sum((project.budget for project in mine), Decimal(0))
                departments.append(
                    self.department(unit, definition, self.frameworks[(code, TableKind.DEPARTMENT)], total)
                )
        ProjectDeclaration.objects.bulk_create(projects, batch_size=BATCH_SIZE)
        DepartmentDeclaration.objects.bulk_create(departments, batch_size=BATCH_SIZE)
        children = {}
        for declaration in [*projects, *departments]:
            for name, rows in declaration._prefetched_objects_cache.items():
                children.setdefault(name, []).extend(rows)
        for name, model in (("goal_items", GoalItem), ("spending_plan", SpendingCheckpoint), ("money_lines", MoneyLine),
                            ("indicators", Indicator), ("sub_goals", SubGoal), ("safeguards", SafeguardMeasure)):
            rows = children.get(name, [])
            model.objects.bulk_create(rows, batch_size=BATCH_SIZE)
            result.add(name, len(rows))
        self.write_review([*projects, *departments], result, existing=existing)
        result.add("projects", len(projects))
        result.add("departments", len(departments))
        for declaration in [*projects, *departments]:
            result.add(f"state_{declaration.status}", 1)
            declaration._prefetched_objects_cache = {}
        return projects, departments

    def write_review(self, declarations, result, *, existing=False):
        """Snapshots, events, reviews, publications and releases of the declarations that left the draft."""
        from indicators.models import PublishedValue
        from public.generation import portal_changed
        from public.search import entries_add
        from public.services import publication_fields, published_values
        from review.models import Event, Publication, Result, Review, Snapshot

        moved = [d for d in declarations if d.status != Status.DRAFT]
        snapshots = []
        for declaration in moved:
            is_project = isinstance(declaration, ProjectDeclaration)
            # The interchange shape from the rows in memory (their relations are in the prefetch cache).
            data = project_to_dict(declaration) if is_project else department_to_dict(declaration)
            declaration.link = {"project": declaration} if is_project else {"department": declaration}
            declaration.reviewer = declaration.unit.bureau.reviewer
            declaration.snapshot = Snapshot(
                **declaration.link, number=1, data=data, header=header_of(declaration.unit, self.year_number),
                created_by=declaration.unit.filler,
            )
            snapshots.append(declaration.snapshot)
        Snapshot.objects.bulk_create(snapshots, batch_size=BATCH_SIZE)
        reviews, publications = [], []
        for declaration in moved:
            if declaration.status == Status.SUBMITTED:
                continue
            returned = declaration.status == Status.RETURNED
            reviews.append(Review(
                **declaration.link, snapshot=declaration.snapshot, reviewer=declaration.reviewer,
                result=Result.FAIR if returned else Result.EXCELLENT, reason=RETURN_REASON if returned else "",
            ))
            if declaration.status == Status.PUBLISHED:
                declaration.publication = Publication(
                    **declaration.link, snapshot=declaration.snapshot, published_by=declaration.reviewer,
                    **publication_fields(declaration.snapshot),
                )
                publications.append(declaration.publication)
        Review.objects.bulk_create(reviews, batch_size=BATCH_SIZE)
        Publication.objects.bulk_create(publications, batch_size=BATCH_SIZE)
        entries_add(publications)
        if publications:
            portal_changed()
        PublishedValue.objects.bulk_create(
            [
                value
                for declaration in moved if declaration.status == Status.PUBLISHED
                for value in published_values(declaration.publication, declaration.snapshot,
                                              unit_id=declaration.unit_id, year=self.year_number)
            ],
            batch_size=BATCH_SIZE,
        )
        events = []
        for declaration in moved:
            steps = [("submitted", Status.DRAFT, Status.SUBMITTED, declaration.unit.filler, "", {"snapshot": 1})]
            if declaration.status == Status.RETURNED:
                steps.append(("returned", Status.SUBMITTED, Status.RETURNED, declaration.reviewer, RETURN_REASON, {}))
            elif declaration.status in (Status.APPROVED, Status.PUBLISHED):
                steps.append(("approved", Status.SUBMITTED, Status.APPROVED, declaration.reviewer, "", {}))
            if declaration.status == Status.PUBLISHED:
                steps.append(("published", Status.APPROVED, Status.PUBLISHED, declaration.reviewer, "",
                              {"snapshot": 1, "publication": declaration.publication.pk}))
            events += [
                Event(**declaration.link, action=f"declaration.{action}", from_status=source, to_status=target,
                      user=user, comment=comment, data=data)
                for action, source, target, user, comment, data in steps
            ]
        Event.objects.bulk_create(events, batch_size=BATCH_SIZE)
        releases, _links = self.releases(moved, existing=existing)
        for name, rows in (("snapshots", snapshots), ("reviews", reviews), ("publications", publications),
                           ("events", events), ("releases", releases)):
            result.add(name, len(rows))

    def releases(self, moved, *, existing):
        """A new version (without files) of the document of every unit with a new publication,
        holding every table public now; `published_files_create` makes files later."""
        from public.models import DocumentRelease
        from public.services import current_publications

        by_unit = {}
        for declaration in moved:
            if declaration.status == Status.PUBLISHED:
                by_unit.setdefault(declaration.unit_id, []).append(declaration.publication.pk)
        numbers = {}
        if existing and by_unit:
            for unit_id in by_unit:
                current = current_publications().filter(
                    Q(project__unit_id=unit_id, project__year=self.year)
                    | Q(department__unit_id=unit_id, department__year=self.year)
                ).values_list("pk", flat=True)
                by_unit[unit_id] = sorted(set(by_unit[unit_id]) | set(current))
                numbers[unit_id] = (
                    DocumentRelease.objects.filter(unit_id=unit_id, year=self.year).aggregate(n=Max("number"))["n"] or 0
                )
        releases = [
            DocumentRelease(unit_id=unit_id, year=self.year, number=numbers.get(unit_id, 0) + 1) for unit_id in by_unit
        ]
        DocumentRelease.objects.bulk_create(releases, batch_size=BATCH_SIZE)
        through = DocumentRelease.publications.through
        links = [
            through(documentrelease_id=release.pk, publication_id=publication_id)
            for release, publication_ids in zip(releases, by_unit.values()) for publication_id in publication_ids
        ]
        through.objects.bulk_create(links, batch_size=BATCH_SIZE)
        return releases, links

    def progress(self, done, total, result):
        self.echo(f"  {done}/{total} 个单位，{result.counts.get('indicators', 0)} 个指标，"
                  f"{time.perf_counter() - self.started:.1f} 秒")

    def units_in_chunks(self, plan, result):
        for start in range(0, len(plan), UNITS_PER_TRANSACTION):
            with transaction.atomic():
                units = self.new_units(plan[start:start + UNITS_PER_TRANSACTION], result)
                self.write(units, result)
            self.progress(min(start + UNITS_PER_TRANSACTION, len(plan)), len(plan), result)

    def finish(self, result):
        result.seconds = time.perf_counter() - self.started
        logger.info("load.generated year=%s %s seconds=%.1f", self.year_number, result.counts, result.seconds)
        return result


def model_to_defaults(instance):
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields if not f.primary_key}


def _check(**numbers):
    for name, number in numbers.items():
        if number < 0:
            raise ValueError(f"{name} 不能为负数")


def generate_load(*, bureaus, units, projects, indicators, year=2026, seed=1, echo=None):
    """B new bureaus over the five layouts, U units dealt over them, P projects and one 部门整体 per
    unit with about I indicators each; every state, with the review records that go with it."""
    _check(bureaus=bureaus, units=units, projects=projects, indicators=indicators)
    if units and not bureaus:
        raise ValueError("单位需要至少一个财政局")
    generator = _Generator(projects=projects, indicators=indicators, year=year, seed=seed, echo=echo)
    result = LoadResult(year=year)
    with transaction.atomic():
        new = generator.new_bureaus(bureaus, result)
    generator.units_in_chunks(generator.units_plan(new, units) if new else [], result)
    return generator.finish(result)


def units_add(*, bureaus, units, projects, indicators, year=2026, seed=1, echo=None):
    """U new units dealt over existing bureaus (a demo bureau, say), each with P projects and a 部门整体."""
    _check(units=units, projects=projects, indicators=indicators)
    generator = _Generator(projects=projects, indicators=indicators, year=year, seed=seed, echo=echo)
    result = LoadResult(year=year)
    with transaction.atomic():
        bureaus = [generator.existing_bureau(bureau, result) for bureau in bureaus]
    generator.units_in_chunks(generator.units_plan(bureaus, units), result)
    return generator.finish(result)


@transaction.atomic
def projects_add(*, unit, projects, indicators, year=2026, seed=1, status=None):
    """P more projects of an existing unit and year, after the ones it has: in every state, or all in
    `status`. The unit's 部门整体 (its money lines) is left as it is."""
    _check(projects=projects, indicators=indicators)
    if status is not None and status not in Status.values:
        raise ValueError(f"未知状态 {status}")
    generator = _Generator(projects=projects, indicators=indicators, year=year, seed=seed, status=status)
    result = LoadResult(year=year)
    unit = generator.existing_unit(unit, result)
    generator.write([unit], result, with_department=False, existing=True)
    return generator.finish(result)


@transaction.atomic
def indicators_add(*, declaration, count, seed=1):
    """`count` more indicators of an existing declaration, over its framework's 二级 (each term the
    layout prints), after the ones it has. Its snapshots are not changed."""
    _check(count=count)
    is_project = isinstance(declaration, ProjectDeclaration)
    generator = _Generator(projects=0, indicators=count, year=declaration.year.year, seed=seed)
    code = declaration.unit.bureau.layout.code
    definition = generator.definitions[code]
    table_kind = TableKind.PROJECT if is_project else TableKind.DEPARTMENT
    terms = [Term.ANNUAL] if is_project else list(definition.department_terms)
    first_orders = dict(
        Indicator.objects.filter(**{"project" if is_project else "department": declaration})
        .values("term").annotate(n=Max("order")).values_list("term", "n")
    )
    rows = generator.indicators(
        "project" if is_project else "department", declaration, generator.frameworks[(code, table_kind)], terms,
        budget=getattr(declaration, "budget", None), definition=definition, wanted=count, first_orders=first_orders,
    )
    Indicator.objects.bulk_create(rows, batch_size=BATCH_SIZE)
    return rows


def published_files_create(*, limit=10, unit_ids=None):
    """Files (PDF, Excel, JSON, CSV) of the publications that have none yet, for at most `limit` units
    and years, then a new release of each of those documents with its files. Returns the units."""
    from public.services import publication_files_create, release_refresh
    from review.models import Publication

    publications = (
        Publication.objects.filter(withdrawn_at__isnull=True, files__isnull=True)
        .select_related("project__unit", "project__year", "department__unit", "department__year", "snapshot")
        .order_by("pk")
    )
    done = {}
    for publication in publications.iterator():
        declaration = publication.declaration
        if declaration.status != Status.PUBLISHED or (unit_ids is not None and declaration.unit_id not in unit_ids):
            continue
        key = (declaration.unit_id, declaration.year_id)
        if key not in done and len(done) >= limit:
            continue
        with transaction.atomic():
            publication_files_create(publication=publication)
        done[key] = (declaration.unit, declaration.year)
    for unit, year in done.values():
        release_refresh(unit=unit, year=year)
    return [unit for unit, _year in done.values()]
