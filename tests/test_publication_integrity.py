"""The public sees exactly what was approved and published, and nothing else.

Public pages and files are made from the published snapshots alone: live rows (next year's draft,
a renamed unit, an unpublished project) never reach them, and a withdrawal is final for what it
withdrew.
"""
import pytest
from django.urls import reverse

from accounts.models import User
from declarations.exports.builders import load_document_data
from declarations.exports.layouts import get_layout
from declarations.exports.snapshots import document_data_from_snapshots
from declarations.models import DepartmentDeclaration, ProjectDeclaration, Unit
from declarations.services.copying import department_copy_to_year
from public import services as publishing
from public.models import PublishedFile
from review import services
from review.models import Publication

from .conftest import SEEDS
from .export_text import pdf_text


def _users(unit_name):
    unit = Unit.objects.get(name=unit_name)
    return User.objects.get(role="filler", unit=unit), User.objects.get(role="reviewer", bureau=unit.bureau)


def _publish(declaration):
    filler, reviewer = _users(declaration.unit.name)
    declaration = services.declaration_submit(declaration=declaration, user=filler)
    declaration = services.declaration_approve(declaration=declaration, user=reviewer)
    return publishing.declaration_publish(declaration=declaration, user=reviewer)


def _page(client, unit, year):
    return client.get(reverse("public_unit_year", args=[unit.pk, year]))


def _download(client, published_file):
    response = client.get(reverse("public_file", args=[published_file.pk, published_file.sha256, "f"]))
    return response, b"".join(response.streaming_content) if response.status_code == 200 else b""


def _public_pdfs(client, unit, year):
    """The text of every PDF linked from the unit's public page, and the page itself."""
    page = _page(client, unit, year).text
    texts = []
    for published in PublishedFile.objects.filter(format="pdf"):
        if f"/public/files/{published.pk}/{published.sha256}/" in page:
            response, content = _download(client, published)
            assert response.status_code == 200
            texts.append(pdf_text(content))
    assert texts, "the page links no PDF"
    return page, texts


@pytest.fixture
def rugao_department(db):
    return DepartmentDeclaration.objects.get(unit__name="如皋市信访局", year__year=2024)


def test_editing_next_years_profile_leaves_this_years_published_table_as_published(client, rugao_department):
    published = _publish(rugao_department)
    filler, _ = _users("如皋市信访局")
    next_year = department_copy_to_year(department=published, year=2025, keep_money=True)
    client.force_login(filler)
    response = client.post(reverse("department_step", args=[next_year.pk, "profile"]), {
        "version": next_year.version, "department_name": "如皋市信访局",
        "functions": "草稿里的新职能（尚未审核）", "organisation": "草稿里的新机构",
    })
    assert response.status_code == 302
    assert DepartmentDeclaration.objects.get(pk=next_year.pk).functions == "草稿里的新职能（尚未审核）"
    client.logout()
    page, pdfs = _public_pdfs(client, published.unit, 2024)
    for text in [page, *pdfs]:
        assert "草稿里的新职能" not in text and "草稿里的新机构" not in text
    assert any("负责处理市内外群众" in text for text in pdfs)


def test_renaming_the_unit_afterwards_leaves_the_published_page_as_published(client, rugao_department):
    published = _publish(rugao_department)
    Unit.objects.filter(pk=published.unit_id).update(name="改名后的单位")
    page = _page(client, published.unit, 2024).text
    assert "改名后的单位" not in page and "如皋市信访局" in page


def test_a_published_department_table_lists_no_unpublished_project(client, db):
    department = DepartmentDeclaration.objects.get(unit__name="阳新县信访局", year__year=2026)
    projects = list(ProjectDeclaration.objects.filter(unit=department.unit, year=department.year))
    assert projects and all(p.status == "draft" for p in projects)
    published = _publish(department)
    page, pdfs = _public_pdfs(client, published.unit, 2026)
    for project in projects:
        assert all(project.name not in text for text in [page, *pdfs])
    _publish(projects[0])
    page, pdfs = _public_pdfs(client, published.unit, 2026)
    whole = PublishedFile.objects.filter(release__unit=published.unit, format="pdf").order_by("-release__number").first()
    assert projects[0].name in pdf_text(_download(client, whole)[1])
    for project in projects[1:]:
        assert all(project.name not in text for text in [page, *pdfs])


def test_the_whole_publication_lifecycle_shows_only_current_published_snapshots(client, rugao_department):
    unit = rugao_department.unit
    filler, reviewer = _users(unit.name)
    project = ProjectDeclaration.objects.filter(unit=unit, year__year=2024).first()
    published = _publish(project)
    first_files = list(PublishedFile.objects.filter(publication__project=published))
    first_release_files = list(PublishedFile.objects.filter(release__unit=unit))
    assert all(_download(client, f)[0].status_code == 200 for f in first_files + first_release_files)

    # Next year's draft changes nothing public.
    next_year = ProjectDeclaration.objects.get(pk=published.pk)
    from declarations.services.copying import project_copy_to_year

    draft = project_copy_to_year(project=next_year, year=2025, keep_money=True)
    ProjectDeclaration.objects.filter(pk=draft.pk).update(annual_goal="下一年度草稿的年度目标")
    assert "下一年度草稿的年度目标" not in _page(client, unit, 2024).text

    # Withdrawn: nothing of it is reachable, and the unit-year page is gone (nothing else is public).
    publishing.declaration_unpublish(declaration=published, user=reviewer, reason="数据有误")
    assert _page(client, unit, 2024).status_code == 404
    assert all(_download(client, f)[0].status_code == 404 for f in first_files + first_release_files)

    # Returned, changed, approved and published again: new files; the withdrawn ones stay 404.
    services.declaration_return(declaration=published, user=reviewer, reason="请修改年度目标")
    ProjectDeclaration.objects.filter(pk=published.pk).update(annual_goal="第二次公开的年度目标")
    again = _publish(ProjectDeclaration.objects.get(pk=published.pk))
    page, pdfs = _public_pdfs(client, unit, 2024)
    assert all("第二次公开的年度目标" in text for text in pdfs)
    assert all(_download(client, f)[0].status_code == 404 for f in first_files + first_release_files)
    assert 'data-testid="older"' not in page
    assert Publication.objects.filter(project=again).count() == 2  # the withdrawn one stays on record

    # Edited live after publication (as an administrator could): the public still sees the snapshot.
    ProjectDeclaration.objects.filter(pk=again.pk).update(annual_goal="发布后被改动的年度目标")
    page, pdfs = _public_pdfs(client, unit, 2024)
    assert all("发布后被改动的年度目标" not in text for text in [page, *pdfs])


def test_search_finds_published_tables_by_their_published_names_only(client, rugao_department):
    project = ProjectDeclaration.objects.filter(unit=rugao_department.unit, year__year=2024).first()
    published = _publish(project)
    ProjectDeclaration.objects.filter(pk=published.pk).update(name="发布后改的名字")
    assert 'data-testid="empty"' in client.get(reverse("public_search"), {"q": "发布后改的名字"}).text
    found = client.get(reverse("public_search"), {"q": project.name}).text
    assert 'data-testid="results"' in found and "发布后改的名字" not in found


def _cells(document):
    return [
        [[cell.text for cell in row] for part in block.parts for row in part.header_rows + part.rows]
        if hasattr(block, "parts") else [getattr(block, "title", "")]
        for block in document.blocks
    ]


@pytest.mark.parametrize("seed", sorted(SEEDS))
def test_a_document_made_from_snapshots_prints_as_the_one_made_from_the_rows(db, seed):
    """Every seed: the snapshot path and the live path give the same cells, block by block."""
    unit_name, year = SEEDS[seed]
    unit = Unit.objects.get(name=unit_name)
    filler, _ = _users(unit_name)
    live = load_document_data(unit, year)
    declarations = ([live.department] if live.department else []) + list(live.projects)
    snapshots = {}
    for declaration in declarations:
        declaration = services.declaration_submit(declaration=type(declaration).objects.get(pk=declaration.pk), user=filler)
        snapshots[(type(declaration), declaration.pk)] = services.snapshots_of(declaration).first()
    department = live.department
    header = next(iter(snapshots.values())).header
    data = document_data_from_snapshots(
        header=header, unit_pk=unit.pk,
        department=(department.pk, snapshots[(DepartmentDeclaration, department.pk)].data) if department else None,
        projects=[(p.pk, snapshots[(ProjectDeclaration, p.pk)].data) for p in live.projects],
    )
    layout = get_layout(live.layout)
    assert _cells(layout.document(data)) == _cells(layout.document(load_document_data(unit, year)))


def test_publication_depends_on_review_and_review_never_on_publication():
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    for path in (root / "review").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            assert not any(name == "public" or name.startswith("public.") for name in names), path
