from django.urls import path

from . import views

urlpatterns = [
    path("jobs/<int:pk>/", views.job_status, name="job"),
    path("jobs/<int:pk>/file/", views.job_file, name="job_file"),
]
