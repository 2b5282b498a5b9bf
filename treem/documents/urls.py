"""Plan-document import pages."""

from django.urls import path

from . import views

app_name = "documents"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/tien-do/", views.status, name="status"),
    path("<int:pk>/ra-soat/", views.review, name="review"),
]
