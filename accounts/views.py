from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy

from .forms import OwnPasswordChangeForm


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change, which also lifts a forced change (demo accounts)."""

    template_name = "registration/password_change.html"
    form_class = OwnPasswordChangeForm
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.user
        if user.must_change_password:
            user.must_change_password = False
            user.save(update_fields=["must_change_password"])
        from django.contrib import messages

        messages.success(self.request, "密码已修改。")
        return response
