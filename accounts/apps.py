from django.apps import AppConfig
from axes import apps as axes_apps


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "用户"


class AxesConfig(axes_apps.AppConfig):
    """django-axes under a Chinese name in the admin (its models' names come from locale/)."""

    default = False  # accounts itself keeps AccountsConfig
    verbose_name = "登录限制"
