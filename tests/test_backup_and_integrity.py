"""Backups restore everything, published file hashes included; tampering with a file is flagged."""
import hashlib
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import User
from declarations.models import ProjectDeclaration, Unit
from declarations.services.interchange import document_to_dict
from public.models import PublishedFile
from public import services as publishing
from review import services

pytestmark = pytest.mark.flushes


def _publish_one():
    filler, reviewer = User.objects.get(username="zunhua-xfj"), User.objects.get(username="zunhua-czj")
    project = ProjectDeclaration.objects.get(code="13028124P00096710001G")
    project = services.declaration_submit(declaration=project, user=filler)
    project = services.declaration_approve(declaration=project, user=reviewer)
    return publishing.declaration_publish(declaration=project, user=reviewer)


@pytest.fixture
def demo(transactional_db, django_db_blocker):
    from declarations.services.demo import demo_load

    demo_load()
    _publish_one()


def _state():
    return {
        "documents": [document_to_dict(unit, year) for unit in Unit.objects.order_by("pk")
                      for year in {d.year.year for d in unit.projectdeclarations.all()}],
        "users": sorted(User.objects.values_list("username", "password", "role")),
        "files": sorted((f.filename, f.sha256, hashlib.sha256(f.file.open("rb").read()).hexdigest())
                        for f in PublishedFile.objects.all()),
        "statuses": sorted(ProjectDeclaration.objects.values_list("code", "name", "status")),
    }


def test_a_backup_restores_into_an_empty_database_with_everything(demo, tmp_path):
    before = _state()
    call_command("backup", "--out", str(tmp_path / "b"))
    call_command("flush", "--no-input")
    for path in Path(settings.MEDIA_ROOT).rglob("*"):
        if path.is_file():
            path.unlink()
    assert not ProjectDeclaration.objects.exists()
    call_command("restore", str(tmp_path / "b"))
    assert _state() == before
    call_command("verify_publications")


def test_restore_refuses_a_database_that_is_not_empty(demo, tmp_path):
    call_command("backup", "--out", str(tmp_path / "b"))
    with pytest.raises(CommandError, match="不是空的"):
        call_command("restore", str(tmp_path / "b"))


def test_restore_refuses_a_damaged_backup(demo, tmp_path):
    call_command("backup", "--out", str(tmp_path / "b"))
    media = next((tmp_path / "b" / "media").rglob("*.pdf"))
    media.write_bytes(media.read_bytes() + b"tampered")
    call_command("flush", "--no-input")
    with pytest.raises(CommandError, match="SHA-256 不符"):
        call_command("restore", str(tmp_path / "b"))


def test_verify_publications_flags_a_tampered_file(demo, capsys):
    call_command("verify_publications")
    stored = PublishedFile.objects.filter(format="pdf").first()
    path = Path(stored.file.path)
    path.write_bytes(path.read_bytes().replace(b"%%EOF", b"%%EOF tampered"))
    with pytest.raises(CommandError, match="发现 1 处不符"):
        call_command("verify_publications")
    assert f"文件 #{stored.pk}" in capsys.readouterr().err


def test_verify_publications_flags_json_that_differs_from_its_snapshot(demo):
    stored = PublishedFile.objects.filter(format="json", publication__isnull=False).first()
    snapshot = stored.publication.snapshot
    snapshot.data = {**snapshot.data, "purpose": "被改动的快照"}
    snapshot.save()
    with pytest.raises(CommandError, match="发现 1 处不符"):
        call_command("verify_publications")
