"""Test URLconf: the project's routes plus the registry API under /api/v1/ (as the lead mounts it)."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from treem.registry.api import register
from treem.urls import urlpatterns as project

router = DefaultRouter()
register(router)
urlpatterns = [path("api/v1/", include(router.urls)), *project]
