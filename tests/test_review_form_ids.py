"""The review page holds the approve and the return form at once; their ids never collide."""
import re
from collections import Counter

from review import services


def test_the_approve_and_return_forms_share_no_id_and_each_label_names_its_own_box(client, zunhua_project, filler, reviewer):
    services.declaration_submit(declaration=zunhua_project, user=filler)
    client.force_login(reviewer)
    html = client.get(f"/review/project/{zunhua_project.pk}/").content.decode()
    ids = Counter(re.findall(r'\sid="([^"]+)"', html))
    assert [i for i, n in ids.items() if n > 1] == []
    assert '<label class="form-label" for="return_reason">退回理由</label>' in html
    assert '<label class="form-label" for="approve_reason">审核意见</label>' in html
