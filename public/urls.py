from django.urls import path

from . import views

urlpatterns = [
    path("public/", views.index, name="public_index"),
    path("public/search/", views.search, name="public_search"),
    path("public/bureaus/<int:pk>/", views.bureau, name="public_bureau"),
    path("public/bureaus/<int:bureau_pk>/<int:year>/zip/", views.batch_start, name="public_batch_start"),
    path("public/units/<int:unit_pk>/<int:year>/", views.unit_year, name="public_unit_year"),
    path("public/files/<int:pk>/<str:sha256>/<str:filename>", views.published_file, name="public_file"),
    path("public/batches/<int:pk>/", views.batch_status, name="public_batch"),
    path("public/batches/<int:pk>/download/", views.batch_download, name="public_batch_download"),
    path("robots.txt", views.robots, name="robots"),
    # The reviewer's acts of publishing and withdrawing (this app depends on review, not the reverse).
    path("publication/<str:kind>/<int:pk>/<slug:action>/", views.publication_act, name="publication_act"),
]
