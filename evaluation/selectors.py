"""Reads scoped to what a user may see, and the round dashboard in a fixed number of queries."""
from decimal import Decimal

from django.core.paginator import Paginator
from django.db.models import (
    BooleanField, Case, Count, DecimalField, F, Func, Max, OuterRef, Prefetch, Q, Subquery, Value, When,
)
from django.db.models.functions import Coalesce
from django.db.models.lookups import LessThan
from django.shortcuts import get_object_or_404

from declarations.models import SpendingCheckpoint
from declarations.selectors import units_visible_to

from .models import (
    Likelihood, MonitoringReport, MonitoringRound, MonitoringValue, PublicationFormat, SelfEvaluation,
    SelfEvaluationPublication, SelfEvaluationPublicationFile, State, checkpoint_month,
)
from .services import eligible_projects

RELATED = ("project__unit__bureau__layout", "project__unit__parent", "project__year")


def rounds_for(user):
    """Rounds of the bureaus whose units the user sees."""
    return MonitoringRound.objects.filter(
        bureau__units__in=units_visible_to(user)).distinct().select_related("bureau", "year")


def round_for(user, pk):
    return get_object_or_404(rounds_for(user), pk=pk)


def reports_for(user):
    return MonitoringReport.objects.filter(project__unit__in=units_visible_to(user)).select_related(
        "round__year", "round__bureau", *RELATED)


def report_for(user, pk):
    return get_object_or_404(reports_for(user), pk=pk)


def evaluations_for(user):
    return SelfEvaluation.objects.filter(project__unit__in=units_visible_to(user)).select_related(*RELATED)


def evaluation_for(user, pk):
    return get_object_or_404(evaluations_for(user), pk=pk)


def projects_for(user, **filters):
    """Approved or published project declarations the user sees, with their evaluation rows."""
    from declarations.models import ProjectDeclaration

    from .services import ELIGIBLE

    return (ProjectDeclaration.objects.filter(unit__in=units_visible_to(user), status__in=ELIGIBLE, **filters)
            .select_related("unit", "year").order_by("-year__year", "unit__name", "order", "id"))


def project_counts(projects):
    """{(bureau id, year id): how many of `projects`}, one aggregate."""
    return {(bureau_id, year_id): n for bureau_id, year_id, n in projects.order_by().values_list(
        "unit__bureau_id", "year_id").annotate(n=Count("id"))}


class RoundEntries:
    """The home page's monitoring rows, sliceable for a paginator: each round (in the given order)
    followed by the approved projects of its bureau and year that the user sees, or by one empty
    row (project None) when it has none. A slice reads only its own projects: the sizes come from
    one aggregate (project_counts), the rounds a page covers whole in one query, the (at most two) rounds it cuts in
    one query each."""

    def __init__(self, rounds, projects, sizes):
        """`sizes`: {(bureau id, year id): number of `projects`}, from project_counts()."""
        self.rounds, self.projects = list(rounds), projects
        self.sizes = [sizes.get((r.bureau_id, r.year_id), 0) for r in self.rounds]
        self.length = sum(max(n, 1) for n in self.sizes)

    def __len__(self):
        return self.length

    def __getitem__(self, index):
        if not isinstance(index, slice):
            raise TypeError("RoundEntries are read a page (a slice) at a time")
        start, stop, _step = index.indices(self.length)
        cuts, offset = [], 0  # (round, first, last) of each round the slice touches
        for monitoring_round, size in zip(self.rounds, self.sizes):
            slots = max(size, 1)
            first, last = max(start - offset, 0), min(stop - offset, slots)
            if first < last:
                cuts.append((monitoring_round, first, last, size))
            offset += slots

        def key(r):
            return r.bureau_id, r.year_id

        whole = {key(r) for r, first, last, size in cuts if size and first == 0 and last == size}
        found = {}
        if whole:
            scope = Q()
            for bureau_id, year_id in whole:
                scope |= Q(unit__bureau_id=bureau_id, year_id=year_id)
            for project in self.projects.filter(scope):
                found.setdefault((project.unit.bureau_id, project.year_id), []).append(project)
        entries = []
        for monitoring_round, first, last, size in cuts:
            if not size:
                entries.append((monitoring_round, None))
                continue
            if key(monitoring_round) in found:  # read whole for this or another round of its bureau and year
                projects = found[key(monitoring_round)][first:last]
            else:
                projects = list(self.projects.filter(unit__bureau_id=monitoring_round.bureau_id,
                                                     year_id=monitoring_round.year_id)[first:last])
            entries.extend((monitoring_round, project) for project in projects)
        return entries


def current_publications():
    return SelfEvaluationPublication.objects.filter(withdrawn_at__isnull=True).order_by("-published_at", "-id")


def with_file_count(publications):
    """Publications annotated with `file_count`, the files stored (in the same query)."""
    return publications.annotate(file_count=Count("files"))


def files_ready(publication):
    """Whether a publication of with_file_count has its PDF and Excel stored."""
    return publication.file_count >= len(PublicationFormat.values)


def current_publication(publication_pk):
    return get_object_or_404(with_file_count(current_publications()), pk=publication_pk)


def public_file(publication_pk, fmt):
    """The stored file of a publication in force, or None (not in force, or not stored yet): one query."""
    # publication__pk, not publication_id: an id out of the column's range then finds nothing.
    return SelfEvaluationPublicationFile.objects.filter(
        publication__pk=publication_pk, publication__withdrawn_at__isnull=True, format=fmt).first()


PERCENT = DecimalField(max_digits=5, decimal_places=2)
IN_PROGRESS = [State.SUBMITTED, State.APPROVED, State.RETURNED, State.DRAFT]  # a round's reports not yet published


class Scaled(Func):
    """`expression × factor` exactly: a numeric product on PostgreSQL; on SQLite, which keeps decimals
    as floating point, the product rounded to a whole number, so that comparing products of amounts
    (6 decimal places, scaled by 10⁶) and percentages (2, by 10²) is exact integer arithmetic."""

    template = "(%(expressions)s * %(factor)s)"
    output_field = DecimalField()

    def __init__(self, expression, factor, **extra):
        super().__init__(expression, factor=int(factor), **extra)

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template="CAST(ROUND(%(expressions)s * %(factor)s) AS INTEGER)",
                           **extra_context)


def _planned_percent(monitoring_round):
    """The plan's cumulative percentage at the round's checkpoint month, per report, as SQL: the
    highest percentage of the checkpoints up to that month, 0 when the plan has only later ones,
    NULL when it has none that names a month (models.planned_percent, row by row). A round's plans
    use a few distinct labels (3月底 … 12月底): they are read to months here, once."""
    labels = (SpendingCheckpoint.objects.filter(project__monitoring_reports__round=monitoring_round)
              .order_by().values_list("label", flat=True).distinct())
    months = {label: checkpoint_month(label) for label in labels}
    dated = [label for label, month in months.items() if month is not None]
    reached = [label for label in dated if months[label] <= monitoring_round.checkpoint_month]
    if not dated:
        return Value(None, output_field=PERCENT)
    # One subquery: over the dated checkpoints (none: NULL), the highest of the reached ones' percentages
    # and 0 for each later one (percentages are never negative).
    percent = Case(When(label__in=reached, then=F("percent")), default=Value(Decimal(0)), output_field=PERCENT)
    return Subquery(SpendingCheckpoint.objects.filter(project=OuterRef("project"), label__in=dated).order_by()
                    .values("project").annotate(plan=Max(percent)).values("plan"), output_field=PERCENT)


def round_reports(monitoring_round):
    """The round's reports being filled in or reviewed, each with `unlikely_count` (its indicators
    whose 完成目标可能性 is 有可能 or 完全不可能) and `behind` (执行率 more than 10 points behind the
    plan's checkpoint: MonitoringReport.behind_plan), worked out in SQL."""
    unlikely = (MonitoringValue.objects.filter(report=OuterRef("pk")).exclude(likelihood=Likelihood.CERTAIN)
                .order_by().values("report").annotate(n=Count("pk")).values("n"))
    # behind_plan is `(rate or 0) < plan - 10`, rate = money(executed / budget × 100) (rounded half up to
    # cents), None without an amount or a budget. With p the plan in cents and the amounts ≥ 0, the
    # rounded rate is below p/100 - 10 exactly when the rate is below (2p - 2001) / 200, that is when
    # 20000 × executed < (2p - 2001) × budget: no division, no rounding, the same answer in SQL. Without
    # a rate, executed 0 of a budget 1 gives 0 < 2p - 2001, that is p > 1000 (plan above 10%).
    no_rate = Q(executed_amount__isnull=True) | Q(project__budget__isnull=True) | Q(project__budget=0)
    executed = Case(When(no_rate, then=Value(0)), default=Scaled(F("executed_amount"), 10 ** 6),
                    output_field=DecimalField())
    budget = Case(When(no_rate, then=Value(1)), default=Scaled(F("project__budget"), 10 ** 6),
                  output_field=DecimalField())
    behind = LessThan(executed * 20000, (Scaled(F("plan"), 100) * 2 - 2001) * budget)  # NULL without a plan
    return (MonitoringReport.objects.filter(round=monitoring_round, status__in=IN_PROGRESS)
            .alias(plan=_planned_percent(monitoring_round))
            .annotate(unlikely_count=Coalesce(Subquery(unlikely), 0),
                      behind=Case(When(behind, then=Value(True)), default=Value(False), output_field=BooleanField())))


def round_progress(monitoring_round):
    """Progress and the declarations at risk of one round, in a fixed number of queries whatever its size.

    At risk: 执行率 more than 10 points behind the plan's checkpoint, or any indicator whose
    完成目标可能性 is 有可能 or 完全不可能. `at_risk` is a queryset, to be read a page at a time."""
    total = eligible_projects(monitoring_round.bureau_id, monitoring_round.year_id).count()
    counts = dict(MonitoringReport.objects.filter(round=monitoring_round).values_list("status")
                  .annotate(n=Count("id")).order_by())
    at_risk = (round_reports(monitoring_round).filter(Q(unlikely_count__gt=0) | Q(behind=True))
               .order_by("project__unit__name", "project__order", "project__id"))
    submitted = counts.get(State.SUBMITTED, 0) + counts.get(State.APPROVED, 0)
    return {"total": total, "submitted": submitted, "started": sum(counts.values()), "counts": counts,
            "at_risk": at_risk}


def at_risk_page(at_risk, number, per_page):
    """One page of the reports at risk, read in two steps so that a late page costs what the first
    does: the page's ids in order (the database computes the risks but reads no other column of the
    rows it skips), then those reports with what the table shows (the rate, the planned percentage)."""
    page = Paginator(at_risk.values_list("pk", flat=True), per_page).get_page(number)
    ids = list(page.object_list)
    shown = (at_risk.filter(pk__in=ids).select_related("round", "project__unit")
             .only("status", "executed_amount", "round", "project__name", "project__budget", "project__order",
                   "project__unit__name")
             .prefetch_related(Prefetch("project__spending_plan", queryset=SpendingCheckpoint.objects.all())))
    by_pk = {report.pk: report for report in shown}
    page.object_list = [by_pk[pk] for pk in ids if pk in by_pk]  # less any changed in between
    return page
