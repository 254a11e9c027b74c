"""Names typed by users become file names and URL parts safely: in every export and publication."""
import pytest
from django.urls import reverse

from declarations.exports.document import Document, safe_filename
from declarations.models import ProjectDeclaration
from public.models import PublishedFile
from public import services as publishing
from review import services


@pytest.mark.parametrize("name, expected", [
    ("2024-遵化市信访局-驻京工作经费", "2024-遵化市信访局-驻京工作经费"),
    ("2024-单位-A/B项目", "2024-单位-A_B项目"),
    ("..\\..\\etc/passwd", "_._etc_passwd"),
    ("../../x", "_._x"),
    (".hidden", "hidden"),
    ("a\x00b\x07c\u202ed", "a_b_c_d"),
    ("a\r\n\tb", "a b"),
    ('x<>:"|?*#%y', "x_________y"),
    ("name. ", "name"),
    ("CON", "_CON"),
    ("", "文档"),
    ("../", "_"),
])
def test_safe_filename_removes_paths_dots_controls_and_reserved_characters(name, expected):
    assert safe_filename(name) == expected


def test_safe_filename_keeps_chinese_and_bounds_the_length():
    result = safe_filename("项目" * 200)
    assert result == "项目" * 25 and len(result.encode("utf-8")) == 150


def test_a_document_names_itself_safely():
    assert Document(title="t", filename="2024-单位-../a/b").filename == "2024-单位-._a_b"


def _publish(project, filler, reviewer):
    project = services.declaration_submit(declaration=project, user=filler)
    project = services.declaration_approve(declaration=project, user=reviewer)
    return publishing.declaration_publish(declaration=project, user=reviewer)


@pytest.mark.parametrize("name", ["驻京/工作经费", "../../驻京工作经费"])
def test_a_project_named_with_a_slash_publishes_and_its_public_page_and_files_answer_200(
    client, filler, reviewer, zunhua_project, name
):
    ProjectDeclaration.objects.filter(pk=zunhua_project.pk).update(name=name)
    project = _publish(ProjectDeclaration.objects.get(pk=zunhua_project.pk), filler, reviewer)
    assert project.status == "published"
    page = client.get(reverse("public_unit_year", args=[project.unit_id, project.year.year]))
    assert page.status_code == 200
    files = PublishedFile.objects.filter(publication__project=project)
    assert files.count() == 4
    for published in files:
        assert "/" not in published.filename and ".." not in published.filename
        url = reverse("public_file", args=[published.pk, published.sha256, published.filename])
        assert url in page.text
        assert client.get(url).status_code == 200
