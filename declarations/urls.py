from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("projects/<int:pk>/", views.project_detail, name="project_detail"),
    path("departments/<int:pk>/", views.department_detail, name="department_detail"),
]
