"""The score rules of the national 项目支出绩效自评表, per comparator and per layout's weights."""
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from declarations.values import parse
from evaluation import scoring

D = Decimal


def score(target, reached, points="10", **judged):
    return scoring.indicator_score(parse(target), reached, D(points), **judged)


def test_at_least_target_reached_scores_full_marks():
    assert score("≥95%", "96%") == (D("10.00"), scoring.Outcome(scoring.REACHED, D(1)))


def test_at_least_target_missed_scores_reached_over_target():
    points, outcome = score("≥90%", "72%")
    assert points == D("8.00")
    assert outcome.status == scoring.SHORT and outcome.label == "未达到目标值（完成 80.00%）"


def test_at_least_target_far_exceeded_is_flagged_but_capped():
    points, outcome = score("≥10次", "16次")
    assert points == D("10.00") and outcome.status == scoring.EXCEEDED


def test_at_most_target_not_exceeded_scores_full_marks():
    assert score("≤180万元", "150万元")[0] == D("10.00")


def test_at_most_target_exceeded_scores_target_over_reached():
    assert score("≤180万元", "200万元")[0] == D("9.00")


def test_equal_target_scores_full_only_when_equal():
    assert score("=12次", "12次")[0] == D("10.00")
    assert score("=12次", "9次")[0] == D("7.50")


def test_reached_value_in_another_unit_cannot_be_compared_and_scores_nothing():
    points, outcome = score("≥95%", "95人")
    assert points == D("0") or points == D("0.00")
    assert outcome.status == scoring.UNREADABLE


def test_full_width_reached_value_is_read_like_the_declaration():
    assert score("≥95%", "９６％")[0] == D("10.00")


def test_deadline_met_on_or_before_its_month_scores_full_marks():
    assert score("2024年6月底前", "2024年6月")[0] == D("10.00")
    assert score("2024年6月底前", "2024年5月20日")[0] == D("10.00")


def test_deadline_missed_scores_nothing():
    points, outcome = score("2024年6月底前", "2024年8月")
    assert points == D("0.00") and outcome.status == scoring.SHORT


def test_qualitative_waits_for_the_reviewer():
    points, outcome = score("有效改善", "明显改善")
    assert points == D("0") and outcome.status == scoring.PENDING


def test_qualitative_judgements_score_100_60_and_0_percent():
    assert score("有效改善", "明显改善", judgement="achieved")[0] == D("10.00")
    assert score("有效改善", "略有改善", judgement="partial")[0] == D("6.00")
    assert score("有效改善", "没有改善", judgement="missed")[0] == D("0.00")


def test_qualitative_typed_score_is_kept_within_its_points():
    assert score("有效改善", "明显改善", judged_score=D("7.5"))[0] == D("7.50")
    assert score("有效改善", "明显改善", judged_score=D("70"))[0] == D("10.00")


def test_budget_execution_scores_rate_times_ten_capped_at_ten():
    assert scoring.budget_score(D("85")) == D("8.50")
    assert scoring.budget_score(D("120")) == D("10.00")
    assert scoring.budget_score(None) == D("0")


def test_national_rule_spreads_50_30_10_evenly_within_each_category():
    points = scoring.points_of([
        (1, "产出指标", None), (2, "产出指标", None), (3, "效益指标", None), (4, "满意度指标", None),
    ])
    assert points == {1: D("25.00"), 2: D("25.00"), 3: D("30.00"), 4: D("10.00")}


def test_national_rule_scales_to_90_when_a_category_is_missing():
    points = scoring.points_of([(1, "产出指标", None), (2, "效益指标", None)])
    assert points == {1: D("56.25"), 2: D("33.75")}


def test_layout_weights_are_used_when_set():
    points = scoring.points_of([(1, "产出指标", D("40")), (2, "效益指标", D("30")), (3, "满意度指标", D("20"))])
    assert points == {1: D("40.00"), 2: D("30.00"), 3: D("20.00")}


def test_layout_weights_that_do_not_add_up_to_90_are_scaled():
    points = scoring.points_of([(1, "产出指标", D("50")), (2, "效益指标", D("50"))])
    assert points == {1: D("45.00"), 2: D("45.00")}


def test_grades_by_total():
    assert [scoring.grade(D(n)) for n in ("95", "90", "89.99", "80", "79", "60", "59.99")] == [
        "优", "优", "良", "良", "中", "中", "差"]


def test_execution_rate_needs_a_budget():
    assert scoring.execution_rate(D("108"), D("216")) == D("50.00")
    assert scoring.execution_rate(D("1"), D("0")) is None


@given(
    comparator=st.sampled_from(["≥", "≤", "=", ">", "<", ""]),
    target=st.decimals(min_value=0, max_value=10**6, places=2),
    reached=st.decimals(min_value=0, max_value=10**6, places=2),
    points=st.decimals(min_value=0, max_value=90, places=2),
)
def test_score_never_exceeds_its_points_nor_falls_below_zero(comparator, target, reached, points):
    got, _outcome = scoring.indicator_score(parse(f"{comparator}{target}%"), f"{reached}%", points)
    assert D(0) <= got <= points


@given(st.lists(st.tuples(st.sampled_from(["产出指标", "效益指标", "满意度指标", "成本指标"]),
                          st.one_of(st.none(), st.decimals(min_value=0, max_value=50, places=1))),
                min_size=1, max_size=30))
def test_points_never_add_up_to_more_than_90(rows):
    points = scoring.points_of([(n, category, weight) for n, (category, weight) in enumerate(rows)])
    assert sum(points.values()) <= D("90.05")
