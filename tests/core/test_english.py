"""The English interface: a complete catalogue, compiled, and pages of every app that speak English at /en/."""

import re
from pathlib import Path

import polib
import pytest

from tests.conftest import unit
from treem.accounts.models import Role
from treem.geo.models import Generation, Level

CATALOGUE = Path(__file__).resolve().parents[2] / "treem" / "locale" / "en" / "LC_MESSAGES"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}")


def test_every_message_has_its_english_with_the_same_placeholders():
    """No message is left without English (or with a fuzzy guess); placeholders match."""
    po = polib.pofile(str(CATALOGUE / "django.po"))
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert not untranslated, f"{len(untranslated)} messages without English, e.g. {untranslated[:5]}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy messages, e.g. {fuzzy[:5]}"
    for e in po.translated_entries():
        pairs = (
            [(e.msgid, e.msgstr)]
            if not e.msgid_plural
            else [(e.msgid, e.msgstr_plural[0]), (e.msgid_plural, e.msgstr_plural[1])]
        )
        for source, english in pairs:
            assert sorted(PLACEHOLDER.findall(source)) == sorted(PLACEHOLDER.findall(english)), source


def test_the_compiled_catalogue_is_up_to_date():
    """django.mo holds what django.po says (run `make messages` after editing the .po)."""
    po = polib.pofile(str(CATALOGUE / "django.po"))
    mo = polib.mofile(str(CATALOGUE / "django.mo"))
    compiled = {(e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural.get(0) for e in mo}
    for e in po.translated_entries():
        assert compiled.get((e.msgctxt, e.msgid)) == (e.msgstr or e.msgstr_plural[0]), e.msgid


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "path", "english", "vietnamese"),
    [
        ("district", "/en/theo-doi/", "Plan implementation monitoring", "Theo dõi thực hiện kế hoạch"),
        ("district", "/en/bao-cao/", "Periodic reporting", "Báo cáo định kỳ"),
        ("commune", "/en/tre-em/", "Child registry", "Sổ theo dõi trẻ em"),
        ("commune", "/en/bao-ve/ho-so/", "Child protection cases", "Hồ sơ bảo vệ trẻ em"),
        ("commune", "/en/bao-ve/", "Record a notification (Form 01)", "Ghi nhận tin báo"),
    ],
)
def test_pages_of_every_app_speak_english(client, make_user, van_quan, role, path, english, vietnamese):
    """At /en/ the headings and menus are English; the same page at / stays Vietnamese."""
    where = van_quan if role == "district" else unit("06253", Level.COMMUNE, Generation.Y2025)
    client.force_login(make_user(where, Role.UNIT_MANAGER if role == "district" else Role.COMMUNE_OFFICER))
    page = client.get(path)
    assert page.status_code == 200
    html = page.content.decode()
    assert english in html and vietnamese not in html
    assert vietnamese in client.get(path.removeprefix("/en")).content.decode()
