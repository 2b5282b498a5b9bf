"""Template context shared by every page."""

from django.conf import settings


def treem(request):
    """The product name and the languages offered."""
    return {"TREEM_NAME": "TreEm", "LANGUAGES": settings.LANGUAGES}
