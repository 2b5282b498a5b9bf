"""Registry pages."""

from django.urls import path

from . import views

app_name = "registry"
urlpatterns = [
    path("", views.child_list, name="list"),
    path("them/", views.child_create, name="create"),
    path("xuat.<str:fmt>", views.child_export, name="export"),
    path("chi-so/", views.stats, name="stats"),
    path("nhap/", views.import_list, name="import_list"),
    path("nhap/<uuid:uid>/", views.import_detail, name="import_detail"),
    path("nhap/<uuid:uid>/tien-do/", views.import_progress, name="import_progress"),
    path("nhap/<uuid:uid>/bao-cao.csv", views.import_report, name="import_report"),
    path("trung-lap/", views.review_list, name="review"),
    path("trung-lap/<int:pk>/", views.review_pair, name="review_pair"),
    path("gop/<int:pk>/hoan-tac/", views.merge_undo, name="merge_undo"),
    path("<uuid:uid>/", views.child_detail, name="detail"),
    path("<uuid:uid>/sua/", views.child_edit, name="edit"),
    path("<uuid:uid>/<slug:kind>/them/", views.related_add, name="related_add"),
    path("<uuid:uid>/<slug:kind>/<int:pk>/xoa/", views.related_delete, name="related_delete"),
]
