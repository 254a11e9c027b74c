"""Checks that what is published is what was approved and stored: hashes and snapshots."""
import hashlib
import json
from dataclasses import dataclass

from .models import BatchExport, PublishedFile


@dataclass
class Problem:
    file: PublishedFile | None
    message: str


def _sha256(field_file):
    digest = hashlib.sha256()
    with field_file.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()


def verify_publications():
    """Recompute every published file's SHA-256 and compare each table's JSON with its snapshot."""
    problems = []
    checked = 0
    for published in PublishedFile.objects.select_related("publication__snapshot", "release").order_by("pk"):
        checked += 1
        label = f"文件 #{published.pk} {published.filename}"
        if not published.file.storage.exists(published.file.name):
            problems.append(Problem(published, f"{label}：存储中找不到该文件"))
            continue
        actual = _sha256(published.file)
        if actual != published.sha256:
            problems.append(Problem(published, f"{label}：SHA-256 不符（记录 {published.sha256[:16]}…，实际 {actual[:16]}…）"))
            continue
        if published.publication_id and published.format == "json":
            with published.file.open("rb") as handle:
                content = json.loads(handle.read().decode("utf-8"))
            if content != published.publication.snapshot.data:
                problems.append(Problem(published, f"{label}：内容与审核通过的第{published.publication.snapshot.number}次提交不一致"))
    for batch in BatchExport.objects.filter(state=BatchExport.DONE):
        checked += 1
        if not batch.file or not batch.file.storage.exists(batch.file.name) or _sha256(batch.file) != batch.sha256:
            problems.append(Problem(None, f"批量下载 #{batch.pk}：ZIP 缺失或 SHA-256 不符"))
    return checked, problems
