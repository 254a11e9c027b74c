"""Backups: the database (as Django fixtures, read in one consistent transaction) and the media
files, with a manifest of counts and SHA-256 hashes; restore checks every hash."""
import gzip
import hashlib
import io
import json
import shutil
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core import management
from django.db import connection, transaction
from django.utils import timezone

EXCLUDE = ["contenttypes", "auth.permission", "sessions", "admin.logentry"]
FORMAT = "pjd-backup-1"


class BackupError(Exception):
    pass


def _counts():
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label not in ("contenttypes", "sessions", "admin") and model._meta.label != "auth.Permission"
    }


def _media_files():
    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()


def backup(*, out):
    """Write data.json.gz, media/ and manifest.json into the folder `out` (which must be empty)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    if any(out.iterdir()):
        raise BackupError(f"备份目录 {out} 不是空的")
    buffer = io.StringIO()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # One snapshot for every table, so that the rows of the backup agree with each other.
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        counts = _counts()
        management.call_command(
            "dumpdata", "--natural-foreign", "--natural-primary", *[f"--exclude={e}" for e in EXCLUDE],
            stdout=buffer,
        )
        media = []
        root = Path(settings.MEDIA_ROOT)
        for path in _media_files():
            relative = path.relative_to(root)
            target = out / "media" / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
            media.append({"path": str(relative), "sha256": _sha256(target), "size": target.stat().st_size})
    with gzip.open(out / "data.json.gz", "wt", encoding="utf-8") as handle:
        handle.write(buffer.getvalue())
    manifest = {
        "format": FORMAT, "created_at": timezone.now().isoformat(), "database": connection.vendor,
        "counts": counts, "media": media, "data_sha256": _sha256(out / "data.json.gz"),
    }
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return manifest


def restore(*, source):
    """Load a backup into an empty, migrated database and put the media files back."""
    source = Path(source)
    try:
        manifest = json.loads((source / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise BackupError(f"{source} 中没有可读的 manifest.json") from None
    if manifest.get("format") != FORMAT:
        raise BackupError("备份格式不符")
    if _sha256(source / "data.json.gz") != manifest["data_sha256"]:
        raise BackupError("data.json.gz 的 SHA-256 与清单不符，备份已损坏")
    for item in manifest["media"]:
        path = source / "media" / item["path"]
        if not path.is_file() or _sha256(path) != item["sha256"]:
            raise BackupError(f"媒体文件 {item['path']} 缺失或 SHA-256 不符")
    busy = [label for label, count in _counts().items() if count and not label.startswith("axes.")]
    if busy:
        raise BackupError(f"目标数据库不是空的（{', '.join(busy[:5])} …）；请在新建并迁移好的空数据库上恢复")
    fixture = source / "restore-data.json"
    with gzip.open(source / "data.json.gz", "rt", encoding="utf-8") as handle:
        fixture.write_text(handle.read(), encoding="utf-8")
    try:
        with transaction.atomic():
            management.call_command("loaddata", str(fixture), verbosity=0)
            root = Path(settings.MEDIA_ROOT)
            for item in manifest["media"]:
                target = root / item["path"]
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source / "media" / item["path"], target)
            counts = _counts()
            differing = {k: (v, counts.get(k)) for k, v in manifest["counts"].items() if counts.get(k) != v}
            if differing:
                raise BackupError(f"恢复后的记录数与备份不符：{differing}")
    finally:
        fixture.unlink(missing_ok=True)
    return manifest
