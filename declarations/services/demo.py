"""The demo: five published seed documents, their layouts and one account per role."""
from pathlib import Path

from django.conf import settings
from django.db import transaction

from accounts.models import Role, User

from indicators.services import layouts_install, library_apply, library_preview, library_read_yaml

from ..models import FinanceBureau, Unit
from .documents import document_load, read_yaml

DEMO_DIR = Path(settings.BASE_DIR) / "declarations" / "fixtures" / "demo"
USERS_FILE = DEMO_DIR / "users.yaml"
LIBRARY_FILE = Path(settings.BASE_DIR) / "indicators" / "fixtures" / "library.yaml"


def demo_document_paths():
    return sorted(path for path in DEMO_DIR.glob("*.yaml") if path != USERS_FILE)


def _user(spec, role, password, *, bureau=None, unit=None, must_change_password=False):
    user = User.objects.filter(username=spec["username"]).first()
    if user is not None:
        return user, False
    user = User(
        username=spec["username"],
        last_name=spec.get("last_name", ""),
        email=spec.get("email") or f"{spec['username']}@example.gov.cn",
        role=role,
        bureau=bureau,
        unit=unit,
        is_staff=role == Role.ADMIN,
        must_change_password=must_change_password,
        is_superuser=role == Role.ADMIN,
    )
    user.set_password(password)
    user.full_clean()
    user.save()
    return user, True


@transaction.atomic
def demo_users_load(*, data, must_change_password=False):
    """The demo accounts; outside `make run` they must change the shared demo password first."""
    password = data["password"]
    flag = {"must_change_password": must_change_password}
    accounts = []
    for spec in data.get("administrators", []):
        accounts.append(_user(spec, Role.ADMIN, password, **flag)[0])
    for spec in data.get("reviewers", []):
        bureau = FinanceBureau.objects.get(name=spec["bureau"])
        accounts.append(_user(spec, Role.REVIEWER, password, bureau=bureau, **flag)[0])
    for spec in data.get("fillers", []):
        unit = Unit.objects.get(bureau__name=spec["bureau"], name=spec["unit"])
        accounts.append(_user(spec, Role.FILLER, password, bureau=unit.bureau, unit=unit, **flag)[0])
    return accounts, password


@transaction.atomic
def demo_load(*, must_change_password=False):
    """Load the five seed documents and the demo users. A second run changes nothing.

    The layouts come with `migrate` (indicators migration 0003); installing them again here only
    matters on a database emptied after migrating (tests that flush), and adds only what is missing."""
    layouts_install()
    results = [document_load(data=read_yaml(path)) for path in demo_document_paths()]
    # A starter library (共性指标) built from the seeds' own indicators, so the editor has something
    # to offer. Only entries the library lacks are added: what an administrator changed stays.
    library_apply(library_preview(library_read_yaml(LIBRARY_FILE)), update=False)
    accounts, password = demo_users_load(data=read_yaml(USERS_FILE), must_change_password=must_change_password)
    return results, accounts, password


def demo_publish():
    """Take the demo units' declarations still in draft through submit, approve and publish, as
    the seeds are published documents. Each act is the real service, by the real roles."""
    from django.conf import settings

    from public.services import declaration_publish, release_refresh
    from review.services import declaration_approve, declaration_submit

    from ..models import DepartmentDeclaration, ProjectDeclaration, Status

    # The demo's own acts notify in the app but send no e-mail.
    backend, settings.EMAIL_BACKEND = settings.EMAIL_BACKEND, "django.core.mail.backends.locmem.EmailBackend"
    published, documents = 0, set()
    demo_units = [
        Unit.objects.get(bureau__name=data["bureau"]["name"], name=data["unit"]["name"]).pk
        for data in map(read_yaml, demo_document_paths())
    ]
    for model in (DepartmentDeclaration, ProjectDeclaration):
        drafts = model.objects.filter(status=Status.DRAFT, unit__in=demo_units).select_related("unit__bureau", "year")
        for declaration in drafts:
            filler = User.objects.filter(role=Role.FILLER, unit=declaration.unit).first()
            reviewer = User.objects.filter(role=Role.REVIEWER, bureau=declaration.unit.bureau).first()
            if filler is None or reviewer is None:
                continue
            declaration = declaration_submit(declaration=declaration, user=filler)
            declaration = declaration_approve(declaration=declaration, user=reviewer)
            declaration_publish(declaration=declaration, user=reviewer, refresh_release=False)
            documents.add((declaration.unit, declaration.year))
            published += 1
    for unit, year in documents:
        release_refresh(unit=unit, year=year)
    settings.EMAIL_BACKEND = backend
    return published
