"""Unit pages."""

from django.urls import path

from . import views

app_name = "geo"
urlpatterns = [
    path("", views.unit_list, name="list"),
    path("<int:pk>/", views.unit_detail, name="detail"),
    path("<int:pk>/them-thon/", views.village_add, name="village_add"),
]
