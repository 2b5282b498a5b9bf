"""Plan pages (filled by the web UI work)."""

app_name = "plans"
urlpatterns = []
