"""URL routes of TreEm."""

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from treem.core import views as core_views

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("treem.api.urls")),
    path("healthz", core_views.healthz, name="healthz"),
]
urlpatterns += i18n_patterns(
    path("", core_views.home, name="home"),
    path("tai-khoan/", include("treem.accounts.urls")),
    path("don-vi/", include("treem.geo.urls")),
    path("ke-hoach/", include("treem.plans.urls")),
    path("nhap-van-ban/", include("treem.documents.urls")),
    path("bao-ve/", include("treem.protection.urls")),
    path("bao-cao/", include("treem.reporting.urls")),
    path("theo-doi/", include("treem.analytics.urls")),
    path("tre-em/", include("treem.registry.urls")),
    path("quan-tri/", admin.site.urls),
    prefix_default_language=False,
)
admin.site.site_header = "TreEm – Quản trị"
admin.site.site_title = "TreEm"
admin.site.index_title = "Quản trị dữ liệu"

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
