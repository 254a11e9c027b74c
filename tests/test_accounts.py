"""Accounts: throttled logins, forced password change, password rules, the security headers."""
import pytest
from django.urls import reverse

from accounts.models import User

PASSWORD = "xinfang-demo-2026"


def _login(client, username, password, ip="10.0.0.7"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_five_failures_lock_that_username_from_that_address(client, db):
    for _ in range(5):
        _login(client, "zunhua-xfj", "wrong")
    response = _login(client, "zunhua-xfj", PASSWORD)
    assert response.status_code == 429 and 'data-testid="locked"' in response.text


def test_a_colleague_behind_the_same_office_address_can_still_log_in(client, db):
    for _ in range(5):
        _login(client, "zunhua-xfj", "wrong")
    response = _login(client, "zunhua-czj", PASSWORD)
    assert response.status_code == 302 and response.url == reverse("home")


def test_the_locked_username_can_log_in_from_another_address(client, db):
    for _ in range(5):
        _login(client, "zunhua-xfj", "wrong", ip="10.0.0.7")
    assert _login(client, "zunhua-xfj", PASSWORD, ip="10.0.0.8").status_code == 302


def test_four_failures_do_not_lock(client, db):
    for _ in range(4):
        _login(client, "zunhua-xfj", "wrong")
    assert _login(client, "zunhua-xfj", PASSWORD).status_code == 302


def test_lockouts_are_visible_to_administrators(client, db):
    for _ in range(5):
        _login(client, "zunhua-xfj", "wrong")
    client.force_login(User.objects.get(username="admin"))
    page = client.get(reverse("admin:axes_accessattempt_changelist")).text
    assert "zunhua-xfj" in page


def test_a_demo_account_outside_make_run_must_change_its_password_first(client, db):
    user = User.objects.get(username="zunhua-xfj")
    user.must_change_password = True
    user.save()
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url.startswith(reverse("password_change"))
    response = client.post(reverse("password_change"), {
        "old_password": PASSWORD, "new_password1": "Zunhua-Xinfang-2027!", "new_password2": "Zunhua-Xinfang-2027!",
    })
    assert response.status_code == 302
    user.refresh_from_db()
    assert not user.must_change_password
    assert client.get(reverse("home")).status_code == 200


def test_load_demo_marks_demo_accounts_for_a_password_change_unless_told_otherwise(db):
    from django.core.management import call_command

    User.objects.filter(username="guyuan-xfj").delete()
    call_command("load_demo")
    assert User.objects.get(username="guyuan-xfj").must_change_password
    User.objects.filter(username="guyuan-xfj").delete()
    call_command("load_demo", "--keep-demo-passwords")
    assert not User.objects.get(username="guyuan-xfj").must_change_password


@pytest.mark.parametrize("password, message", [("12345678", "密码只包含数字"), ("abc", "这个密码太常见了")])
def test_weak_passwords_are_refused(client, db, password, message):
    client.force_login(User.objects.get(username="zunhua-xfj"))
    response = client.post(reverse("password_change"), {
        "old_password": PASSWORD, "new_password1": password, "new_password2": password,
    })
    assert message in response.text


def test_pages_send_a_content_security_policy_without_inline_scripts(client, db):
    client.force_login(User.objects.get(username="zunhua-czj"))
    response = client.get(reverse("review_dashboard"), {"year": 2024})
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    html = response.text
    import re

    scripts = re.findall(r"<script(?P<attrs>[^>]*)>(?P<body>.*?)</script>", html, re.S)
    for attrs, body in scripts:
        assert 'type="application/json"' in attrs or (body.strip() == "" and "src=" in attrs)


def _change_password(client, new, old=PASSWORD):
    user = User.objects.get(username="zunhua-xfj")
    user.must_change_password = True
    user.save()
    client.force_login(user)
    return client.post(reverse("password_change"), {"old_password": old, "new_password1": new, "new_password2": new})


def test_the_password_change_refuses_the_demo_password(client, db):
    response = _change_password(client, PASSWORD)
    assert response.status_code == 200 and "不能使用演示账号的公共密码，请设置您自己的密码。" in response.text
    assert User.objects.get(username="zunhua-xfj").must_change_password


def test_the_password_change_refuses_the_current_password(client, db):
    user = User.objects.get(username="zunhua-xfj")
    user.set_password("Zunhua-Xinfang-2027!")
    user.save()
    response = _change_password(client, "Zunhua-Xinfang-2027!", old="Zunhua-Xinfang-2027!")
    assert response.status_code == 200 and "新密码不能与当前密码相同。" in response.text



def test_a_login_with_an_over_long_username_is_refused_not_a_server_error(client, db):
    response = client.post("/login/", {"username": "x" * 400, "password": "wrong"})
    assert response.status_code == 200
