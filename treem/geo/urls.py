"""Unit pages (filled by the web UI work)."""

app_name = "geo"
urlpatterns = []
