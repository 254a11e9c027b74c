from django.urls import path

from . import views, views_exports

urlpatterns = [
    path("", views.home, name="home"),
    path("projects/<int:pk>/", views.project_detail, name="project_detail"),
    path("projects/<int:pk>/export.<str:fmt>", views_exports.project_download, name="project_download"),
    path("departments/<int:pk>/", views.department_detail, name="department_detail"),
    path("departments/<int:pk>/export.<str:fmt>", views_exports.department_download, name="department_download"),
    path("documents/<int:unit_pk>/<int:year>/", views_exports.document_preview, name="document_preview"),
    path(
        "documents/<int:unit_pk>/<int:year>/export.<str:fmt>",
        views_exports.document_download,
        name="document_download",
    ),
]
