"""Reads scoped to what a user may see, and the round dashboard in a fixed number of queries."""
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404

from declarations.models import SpendingCheckpoint
from declarations.selectors import units_visible_to

from .models import (
    Likelihood, MonitoringReport, MonitoringRound, PublicationFormat, SelfEvaluation, SelfEvaluationPublication,
    SelfEvaluationPublicationFile, State,
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


def round_progress(monitoring_round):
    """Progress and the declarations at risk of one round, in a fixed number of queries.

    At risk: 执行率 more than 10 points behind the plan's checkpoint, or any indicator whose
    完成目标可能性 is 有可能 or 完全不可能."""
    total = eligible_projects(monitoring_round.bureau_id, monitoring_round.year_id).count()
    reports = MonitoringReport.objects.filter(round=monitoring_round)
    counts = dict(reports.values_list("status").annotate(n=Count("id")).order_by())
    rows = (reports.filter(status__in=[State.SUBMITTED, State.APPROVED, State.RETURNED, State.DRAFT])
            .annotate(unlikely_count=Count("values", filter=~Q(values__likelihood=Likelihood.CERTAIN)))
            .select_related("round", "project__unit")
            .prefetch_related(Prefetch("project__spending_plan", queryset=SpendingCheckpoint.objects.all()))
            .order_by("project__unit__name", "project__order", "project__id"))
    at_risk = [report for report in rows if report.unlikely_count or report.behind_plan]
    submitted = counts.get(State.SUBMITTED, 0) + counts.get(State.APPROVED, 0)
    return {"total": total, "submitted": submitted, "started": sum(counts.values()), "counts": counts,
            "at_risk": at_risk}
