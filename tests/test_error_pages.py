"""Error pages (400, 403, 404, 500, CSRF failure) in Chinese and in the site's layout, the
interface in Simplified Chinese whatever the browser asks, the admin's header, the favicon."""
from django.urls import reverse


def test_a_form_error_for_an_english_browser_is_in_chinese(client, filler):
    client.force_login(filler)
    response = client.post(reverse("password_change"), {}, HTTP_ACCEPT_LANGUAGE="en")
    assert "这个字段是必填项。" in response.text
    assert "This field is required." not in response.text


def test_the_password_page_for_an_english_browser_is_in_chinese(client, filler):
    client.force_login(filler)
    response = client.get(reverse("password_change"), HTTP_ACCEPT_LANGUAGE="en")
    assert "旧密码" in response.text and "Old password" not in response.text


def test_the_login_form_names_an_empty_field_in_chinese_for_an_english_browser(client, db):
    response = client.post(reverse("login"), {"username": "zunhua-xfj", "password": ""}, HTTP_ACCEPT_LANGUAGE="en")
    assert '<div class="invalid-feedback" id="id_password_error">这个字段是必填项。</div>' in response.text
    assert "用户名或密码不正确" not in response.text
