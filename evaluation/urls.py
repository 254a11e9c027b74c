from django.urls import path

from . import views

urlpatterns = [
    path("evaluation/", views.home, name="evaluation_home"),
    path("evaluation/rounds/open/", views.round_open, name="monitoring_round_open"),
    path("evaluation/rounds/<int:pk>/", views.round_dashboard, name="monitoring_round"),
    path("evaluation/rounds/<int:pk>/close/", views.round_close, name="monitoring_round_close"),
    path("evaluation/rounds/<int:pk>/projects/<int:project_pk>/start/", views.monitoring_start,
         name="monitoring_start"),
    path("evaluation/monitoring/<int:pk>/", views.monitoring_report, name="monitoring_report"),
    path("evaluation/monitoring/<int:pk>/export.<str:fmt>", views.monitoring_export, name="monitoring_export"),
    path("evaluation/monitoring/<int:pk>/import/", views.monitoring_import, name="monitoring_import"),
    path("evaluation/monitoring/<int:pk>/<slug:act>/", views.monitoring_act, name="monitoring_act"),
    path("evaluation/projects/<int:project_pk>/self-evaluation/start/", views.self_evaluation_start,
         name="self_evaluation_start"),
    path("evaluation/self-evaluation/<int:pk>/", views.self_evaluation, name="self_evaluation"),
    path("evaluation/self-evaluation/<int:pk>/export.<str:fmt>", views.self_evaluation_export,
         name="self_evaluation_export"),
    path("evaluation/self-evaluation/<int:pk>/import/", views.self_evaluation_import, name="self_evaluation_import"),
    path("evaluation/self-evaluation/<int:pk>/public-files/", views.self_evaluation_files,
         name="self_evaluation_files"),
    path("evaluation/self-evaluation/<int:pk>/judge/", views.self_evaluation_judge, name="self_evaluation_judge"),
    path("evaluation/self-evaluation/<int:pk>/<slug:act>/", views.self_evaluation_act, name="self_evaluation_act"),
    path("public/self-evaluations/", views.public_self_evaluations, name="public_self_evaluations"),
    path("public/self-evaluations/<int:pk>/", views.public_self_evaluation, name="public_self_evaluation"),
    path("public/self-evaluations/<int:pk>/file.<str:fmt>", views.public_self_evaluation_file,
         name="public_self_evaluation_file"),
]
