from django.urls import path

from . import views, views_exports

urlpatterns = [
    path("", views.home, name="home"),
    path("projects/<int:pk>/", views.project_detail, name="project_detail"),
    path("projects/<int:pk>/export.<str:fmt>", views_exports.project_download, name="project_download"),
    path("departments/<int:pk>/", views.department_detail, name="department_detail"),
    path("departments/<int:pk>/export.<str:fmt>", views_exports.department_download, name="department_download"),
    path("documents/<int:unit_pk>/<int:year>/", views_exports.document_preview, name="document_preview"),
    path("documents/<int:unit_pk>/<int:year>/import/", views_exports.document_import, name="document_import"),
    path(
        "documents/<int:unit_pk>/<int:year>/export.<str:fmt>",
        views_exports.document_download,
        name="document_download",
    ),
]

from . import views_grid, views_wizard  # noqa: E402

urlpatterns += [
    path("projects/new/", views_wizard.project_new, name="project_new"),
    path("projects/<int:pk>/edit/<slug:step>/", views_wizard.project_step, name="project_step"),
    path("departments/new/", views_wizard.department_new, name="department_new"),
    path("departments/<int:pk>/edit/<slug:step>/", views_wizard.department_step, name="department_step"),
    path("value-preview/", views_wizard.value_preview, name="value_preview"),
    path("projects/<int:pk>/indicators/grid/", views_grid.grid_save, {"kind": "project"}, name="project_indicator_grid"),
    path("projects/<int:pk>/indicators/paste/", views_grid.grid_paste, {"kind": "project"},
         name="project_indicator_paste"),
    path("projects/<int:pk>/indicators/discard/", views_grid.grid_discard, {"kind": "project"},
         name="project_indicator_discard"),
    path("departments/<int:pk>/indicators/grid/", views_grid.grid_save, {"kind": "department"},
         name="department_indicator_grid"),
    path("departments/<int:pk>/indicators/paste/", views_grid.grid_paste, {"kind": "department"},
         name="department_indicator_paste"),
    path("departments/<int:pk>/indicators/discard/", views_grid.grid_discard, {"kind": "department"},
         name="department_indicator_discard"),
    path("projects/<int:pk>/submit/", views_wizard.declaration_submit, {"kind": "project"}, name="project_submit"),
    path(
        "departments/<int:pk>/submit/", views_wizard.declaration_submit, {"kind": "department"},
        name="department_submit",
    ),
    path("projects/<int:pk>/adjust/", views_wizard.declaration_adjust, {"kind": "project"}, name="project_adjust"),
    path(
        "departments/<int:pk>/adjust/", views_wizard.declaration_adjust, {"kind": "department"},
        name="department_adjust",
    ),
    path("projects/<int:pk>/copy/", views_wizard.declaration_copy, {"kind": "project"}, name="project_copy"),
    path("departments/<int:pk>/copy/", views_wizard.declaration_copy, {"kind": "department"}, name="department_copy"),
]
