"""REST API routes (filled by the API work)."""

urlpatterns = []
