from django.urls import path

from . import views

urlpatterns = [
    path("review/", views.dashboard, name="review_dashboard"),
    path("review/approve-selected/", views.approve_selected, name="review_approve_selected"),
    path("review/<str:kind>/<int:pk>/", views.review_declaration, name="review_declaration"),
    path("review/<str:kind>/<int:pk>/sheet.pdf", views.review_sheet, name="review_sheet"),
    path("review/<str:kind>/<int:pk>/<slug:action>/", views.review_act, name="review_act"),
    path("notifications/", views.notifications, name="notifications"),
]
