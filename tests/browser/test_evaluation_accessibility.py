"""axe finds no serious or critical violation on the monitoring and self-evaluation pages."""
import pytest

from declarations.models import ProjectDeclaration

from .test_accessibility import _check_pages

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def pages(django_db_setup, django_db_blocker):
    """固原's first project approved, in a round, with a report, and a published self-evaluation."""
    from accounts.models import User
    from declarations.services.demo import demo_load
    from evaluation import services
    from review.services import declaration_approve, declaration_submit

    with django_db_blocker.unblock():
        demo_load()
        filler, reviewer = User.objects.get(username="guyuan-xfj"), User.objects.get(username="guyuan-czj")
        project = ProjectDeclaration.objects.filter(unit__name="固原市信访局").order_by("order").first()
        project = declaration_approve(declaration=declaration_submit(declaration=project, user=filler), user=reviewer)
        monitoring_round = services.round_open(user=reviewer, bureau=reviewer.bureau, year=project.year,
                                               period_label="1-7月", checkpoint_month=7)
        report = services.monitoring_report_start(monitoring_round=monitoring_round, project=project, user=filler)
        evaluation = services.self_evaluation_start(project=project, user=filler)
        return {"round": monitoring_round.pk, "report": report.pk, "evaluation": evaluation.pk}


def test_the_fillers_evaluation_pages_are_accessible(browser, live_server, pages):
    _check_pages(browser, live_server, ["/evaluation/", f"/evaluation/monitoring/{pages['report']}/",
                                        f"/evaluation/self-evaluation/{pages['evaluation']}/"], "guyuan-xfj")


def test_the_reviewers_evaluation_pages_are_accessible(browser, live_server, pages):
    _check_pages(browser, live_server, ["/evaluation/", f"/evaluation/rounds/{pages['round']}/",
                                        f"/evaluation/monitoring/{pages['report']}/"], "guyuan-czj")
