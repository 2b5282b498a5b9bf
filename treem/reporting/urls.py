"""Reporting pages, mounted at /bao-cao/."""

from django.urls import path

from . import views

app_name = "reporting"
urlpatterns = [
    path("", views.index, name="index"),
    path("ky/<int:pk>/", views.round_detail, name="round"),
    path("ky/<int:pk>/excel/", views.round_excel_download, name="round_excel"),
    path("ky/<int:pk>/excel/tai-len/", views.round_excel_upload, name="round_excel_upload"),
    path("bieu-mau/<int:pk>/", views.form, name="form"),
    path("bieu-mau/<int:pk>/nop/", views.do_submit, name="submit"),
    path("bieu-mau/<int:pk>/duyet/", views.do_approve, name="approve"),
    path("bieu-mau/<int:pk>/tra-lai/", views.do_return, name="return"),
    path("bieu-mau/<int:pk>/mo-lai/", views.do_reopen, name="reopen"),
    path("bieu-mau/<int:pk>/excel/", views.excel_download, name="excel"),
    path("bieu-mau/<int:pk>/excel/tai-len/", views.excel_upload, name="excel_upload"),
    path("chua-nop/", views.missing, name="missing"),
    path("tong-hop/", views.totals, name="totals"),
    path("thong-bao/", views.notifications, name="notifications"),
    path("dhis2/", views.dhis2, name="dhis2"),
]
