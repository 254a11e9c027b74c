"""The score rules of the national 项目支出绩效自评表 (财预〔2020〕10号), as pure functions.

- 预算执行率 weighs 10 points: rate × 10, capped at 10.
- The indicators share 90 points by their 分值: the declared weights (Indicator.weight) when the
  layout sets them (scaled to 90 when they do not add up to it), else the national rule: 产出 50,
  效益 30, 满意度 10, spread evenly within each 一级 (the shares of the 一级 present scaled to 90).
- An indicator scores full marks when its value is reached (≥ reached or exceeded, ≤ not exceeded,
  = equal, a 时限 on or before its date), proportionally otherwise (reached/target for ≥,
  target/reached for ≤); a 定性 one by the reviewer's judgement (a typed score, or 达成 / 部分达成 /
  未达成 → 100% / 60% / 0%).
- The total gives the 自评等级: 优 (≥ 90), 良 (80–90), 中 (60–80), 差 (< 60).

Reached values are read with the declaration's own value grammar (declarations/values.py).
"""
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from declarations import values

BUDGET_POINTS = Decimal("10")
INDICATOR_POINTS = Decimal("90")
NATIONAL_SHARES = {"产出指标": Decimal("50"), "效益指标": Decimal("30"), "满意度指标": Decimal("10")}
OTHER_SHARE = Decimal("10")  # a 一级 the national form does not name (成本指标 in newer frameworks)
FAR_EXCEEDED = Decimal("1.5")
CENT = Decimal("0.01")

ACHIEVED, PARTIAL, MISSED = "achieved", "partial", "missed"
JUDGEMENTS = {ACHIEVED: ("达成", Decimal("1")), PARTIAL: ("部分达成", Decimal("0.6")), MISSED: ("未达成", Decimal("0"))}

# Outcomes of comparing a reached value with its target.
REACHED, EXCEEDED, SHORT, PENDING, UNREADABLE = "reached", "exceeded", "short", "pending", "unreadable"
OUTCOME_LABELS = {
    REACHED: "已达到目标值", EXCEEDED: "大幅超过目标值", SHORT: "未达到目标值", PENDING: "待评定",
    UNREADABLE: "无法与目标值比较",
}

_DEADLINE = re.compile(r"^(?:(?P<year>\d{4})\s*年)?\s*(?P<month>\d{1,2})\s*月(?:\s*(?P<day>\d{1,2})\s*日)?")


def money(amount):
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Outcome:
    status: str
    ratio: Decimal | None = None  # share of full marks earned (0..1), None when not scored yet

    @property
    def label(self):
        if self.status == SHORT and self.ratio is not None:
            return f"{OUTCOME_LABELS[SHORT]}（完成 {money(self.ratio * 100)}%）"
        return OUTCOME_LABELS[self.status]

    @property
    def is_miss(self):
        return self.status in (SHORT, UNREADABLE)


def deadline(text):
    """(year or None, month, day) of a 时限 written as a month or date (2026年6月底前, 6月, 6月15日),
    or None when the text names no month."""
    match = _DEADLINE.match(values.normalise(text))
    if not match:
        return None
    month = int(match["month"])
    if not 1 <= month <= 12:
        return None
    year = int(match["year"]) if match["year"] else None
    # 月底 / 月末 / a month alone: the month's end.
    day = int(match["day"]) if match["day"] else 31
    return year, month, day


def is_deadline(target):
    """A 时限 target: a qualitative value naming a month or a date (2026年6月底前)."""
    return target.is_qualitative and deadline(target.text) is not None


def compare(target, reached_text):
    """How `reached_text` stands against the declared `target` (a values.TargetValue)."""
    if not (reached_text or "").strip():
        return Outcome(PENDING)
    if is_deadline(target):
        due, done = deadline(target.text), deadline(reached_text)
        if done is None:
            return Outcome(UNREADABLE, Decimal(0))
        # A year left out on either side is taken to be the same year.
        due_key = (due[0] or done[0] or 0, due[1], due[2])
        done_key = (done[0] or due[0] or 0, done[1], done[2])
        return Outcome(REACHED, Decimal(1)) if done_key <= due_key else Outcome(SHORT, Decimal(0))
    if target.is_qualitative:
        return Outcome(PENDING)
    reached = values.parse(reached_text)
    if reached.is_qualitative or (reached.unit and target.unit and reached.unit != target.unit):
        return Outcome(UNREADABLE, Decimal(0))
    want, got = target.number, reached.number
    comparator = target.comparator
    if comparator in ("≥", ">"):
        if got >= want:
            return Outcome(EXCEEDED if want > 0 and got > want * FAR_EXCEEDED else REACHED, Decimal(1))
        return Outcome(SHORT, got / want if want > 0 else Decimal(0))
    if comparator in ("≤", "<"):
        if got <= want:
            return Outcome(REACHED, Decimal(1))
        return Outcome(SHORT, want / got)
    # = or a bare number: equal is reached; otherwise the nearer the better.
    if got == want:
        return Outcome(REACHED, Decimal(1))
    if want > 0 and got > want * FAR_EXCEEDED:
        return Outcome(EXCEEDED, want / got)
    low, high = min(got, want), max(got, want)
    return Outcome(SHORT, low / high if high > 0 else Decimal(0))


def judged(points, *, judgement="", judged_score=None):
    """A 定性 indicator's score by the reviewer: a typed score (0..points) or a judgement; None when
    the reviewer has not judged yet."""
    if judged_score is not None:
        return money(min(max(Decimal(judged_score), Decimal(0)), points))
    if judgement in JUDGEMENTS:
        return money(points * JUDGEMENTS[judgement][1])
    return None


def indicator_score(target, reached_text, points, *, judgement="", judged_score=None):
    """(score, outcome) of one indicator worth `points`; the score never exceeds the points."""
    points = Decimal(points)
    if target.is_qualitative and not is_deadline(target):
        score = judged(points, judgement=judgement, judged_score=judged_score)
        if score is None:
            return Decimal(0), Outcome(PENDING)
        ratio = score / points if points else Decimal(1)
        return score, Outcome(REACHED if ratio >= 1 else SHORT, ratio)
    outcome = compare(target, reached_text)
    if outcome.ratio is None:
        return Decimal(0), outcome
    return money(min(points * outcome.ratio, points)), outcome


def budget_score(rate):
    """预算执行率 (a percentage) × 10 points, capped at 10; no rate scores 0."""
    if rate is None:
        return Decimal(0)
    return money(min(max(Decimal(rate), Decimal(0)) / 100 * BUDGET_POINTS, BUDGET_POINTS))


def execution_rate(executed, budget):
    """执行率 in percent, or None when there is no budget to measure against."""
    if executed is None or not budget:
        return None
    return money(Decimal(executed) / Decimal(budget) * 100)


def points_of(indicators):
    """分值 per indicator (a list of (key, category name, weight or None)) sharing 90 points.

    The declared weights when any is set (the layout sets weights; a missing one counts 0),
    scaled to 90 when they add up to something else; otherwise the national rule."""
    if not indicators:
        return {}
    weights = [w for _key, _category, w in indicators if w is not None]
    if weights and sum(weights) > 0:
        total = sum(Decimal(w) for w in weights)
        return {key: _scaled(Decimal(w or 0), total) for key, _category, w in indicators}
    by_category = {}
    for key, category, _weight in indicators:
        by_category.setdefault(category, []).append(key)
    shares = {category: NATIONAL_SHARES.get(category, OTHER_SHARE) for category in by_category}
    total = sum(shares.values())
    points = {}
    for category, keys in by_category.items():
        each = shares[category] * INDICATOR_POINTS / total / len(keys)
        for key in keys:
            points[key] = money(each)
    return points


def _scaled(weight, total):
    return money(weight * INDICATOR_POINTS / total)


def grade(total):
    """自评等级 by total score: 优 ≥ 90, 良 80–90, 中 60–80, 差 < 60."""
    total = Decimal(total)
    if total >= 90:
        return "优"
    if total >= 80:
        return "良"
    if total >= 60:
        return "中"
    return "差"
