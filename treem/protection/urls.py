"""Routes of the protection pages (/bao-ve/)."""

from django.urls import path

from . import views

app_name = "protection"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("ho-so/", views.case_list, name="list"),
    path("ho-so/moi/", views.intake, name="intake"),
    path("ho-so/<uuid:uid>/", views.case_detail, name="case"),
    path("ho-so/<uuid:uid>/mau-<str:form_no>.docx", views.print_form, name="print"),
    path("ho-so/<uuid:uid>/anh/<int:pk>/", views.photo, name="photo"),
    path("ho-so/<uuid:uid>/hoat-dong/<int:pk>/", views.plan_item, name="plan_item"),
    path("ho-so/<uuid:uid>/chuyen-gui/<int:pk>/", views.referral, name="referral"),
    path("ho-so/<uuid:uid>/cach-ly/<int:pk>/", views.separation, name="separation"),
    path("ho-so/<uuid:uid>/phan-cong/<int:pk>/thoi/", views.unassign, name="unassign"),
    path("ho-so/<uuid:uid>/cap-quyen/<int:pk>/thu-hoi/", views.revoke, name="revoke"),
    path("ho-so/<uuid:uid>/<slug:action>/", views.case_action, name="action"),
    path("chuyen-giao/", views.transfers, name="transfers"),
    path("chuyen-giao/<int:pk>/", views.transfer_respond, name="transfer_respond"),
    path("thong-ke/", views.statistics, name="statistics"),
]
