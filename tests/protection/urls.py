"""The project's routes plus the protection API under /api/v1/ (until treem/api/urls.py includes it)."""

from django.urls import include, path

from treem.urls import urlpatterns as project_urlpatterns

urlpatterns = [path("api/v1/", include("treem.protection.api_urls")), *project_urlpatterns]
