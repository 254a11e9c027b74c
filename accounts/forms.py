from django import forms
from django.contrib.auth.forms import PasswordChangeForm

from declarations.services.demo import USERS_FILE, read_yaml


def demo_password():
    """The shared password of the demo accounts (declarations/fixtures/demo/users.yaml)."""
    return str(read_yaml(USERS_FILE)["password"])


class OwnPasswordChangeForm(PasswordChangeForm):
    """Django's password change (and its validators), refusing the current and the demo password."""

    def clean_new_password1(self):
        password = self.cleaned_data.get("new_password1")
        if password and password == demo_password():
            raise forms.ValidationError("不能使用演示账号的公共密码，请设置您自己的密码。", code="demo_password")
        if password and self.user.check_password(password):
            raise forms.ValidationError("新密码不能与当前密码相同。", code="password_unchanged")
        return password
