"""URLs for the API tests: the project's, plus the reporting API where the lead mounts it (/api/v1/reporting/)."""

from django.urls import include, path

from treem.urls import urlpatterns as project

urlpatterns = [path("api/v1/reporting/", include("treem.reporting.api")), *project]
