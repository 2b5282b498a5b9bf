"""Monitoring pages: dashboards, comparisons, agency and indicator views, consolidated reports."""

from django.urls import path

from . import views

app_name = "analytics"
urlpatterns = [
    path("", views.index, name="index"),
    path("ke-hoach/<int:plan_id>/", views.plan_dashboard, name="plan"),
    path("ke-hoach/<int:plan_id>/chi-tieu/<int:component_id>/", views.target_detail, name="target"),
    path("ke-hoach/<int:plan_id>/chi-tieu/<int:component_id>/xep-hang/", views.ranking, name="ranking"),
    path("chi-so/<int:indicator_id>/", views.indicator_page, name="indicator"),
    path("co-quan/<int:agency_id>/", views.agency_view, name="agency"),
    path("ke-hoach/<int:plan_id>/bao-cao/moi/", views.report_new, name="report_new"),
    path("bao-cao/<int:report_id>/", views.report_detail, name="report"),
    path("bao-cao/tep/<int:file_id>/", views.report_file, name="report_file"),
    path("tac-vu/<int:job_id>/", views.job_status, name="job"),
]
