"""Plan pages."""

from django.urls import path

from . import views

app_name = "plans"
urlpatterns = [
    path("", views.plan_list, name="list"),
    path("<int:pk>/", views.plan_detail, name="detail"),
    path("<int:plan_pk>/chi-tieu/<int:pk>/", views.target_detail, name="target"),
]
