"""Each step's official form prints as DOCX in the Decree 30 format, showing only what the user may see."""

import datetime
import io

import pytest
from docx import Document
from docx.shared import Mm

from treem.accounts.models import Role
from treem.protection import policy, services
from treem.protection.codes import FORMS, Finding
from treem.protection.models import Case

from .conftest import notification, post_hotline


def text_of(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts += [c.text for c in row.cells]
    return "\n".join(parts)


@pytest.fixture
def approved(client, clock, hotline_key, people):
    uid = post_hotline(client, hotline_key, notification()).json()["case"]
    officer, chairman = people["officer"], people["chairman"]
    case = Case.objects.get(uid=uid)
    services.complete_initial_assessment(
        officer,
        policy.CaseAccess(officer, case),
        finding=Finding.HARMED,
        emergency_needed=True,
        create_child=True,
        notes="Nguy cơ cao",
    )
    a = policy.CaseAccess(officer, Case.objects.get(pk=case.pk))
    services.start_separation(
        officer, a, start=clock.moment, end=clock.moment + datetime.timedelta(days=7), place="Nhà bà ngoại"
    )
    services.record_emergency(officer, a, measures=["medical"])
    services.complete_info_gathering(officer, a, meeting_date=datetime.date(2026, 4, 23), needs="Tâm lý")
    services.add_plan_item(
        officer,
        a,
        service="Tư vấn, trị liệu tâm lý",
        start=datetime.date(2026, 4, 24),
        end=datetime.date(2026, 6, 30),
        agency_name="Trạm Y tế xã Văn Quan",
        budget_vnd=3_000_000,
    )
    services.submit_plan(officer, a, objectives="Trẻ em an toàn")
    services.approve_plan(chairman, policy.CaseAccess(chairman, case), decision_number="12/QĐ-UBND")
    return Case.objects.get(pk=case.pk)


@pytest.mark.django_db
def test_every_form_prints_with_the_official_header(client, approved, people):
    client.force_login(people["officer"])
    for no in sorted(FORMS):
        r = client.get(f"/bao-ve/ho-so/{approved.uid}/mau-{no}.docx")
        assert r.status_code == 200, no
        assert r["Content-Disposition"].endswith(f'{approved.number}-mau-{no}.docx"')
        doc = Document(io.BytesIO(r.content))
        s = doc.sections[0]
        assert (round(s.page_width / Mm(1)), round(s.page_height / Mm(1))) == (210, 297)
        assert round(s.left_margin / Mm(1)) == 30 and round(s.right_margin / Mm(1)) == 15
        assert s.different_first_page_header_footer  # no page number on page 1
        text = text_of(r.content)
        for part in (
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "Độc lập - Tự do - Hạnh phúc",
            "ỦY BAN NHÂN DÂN",
            "XÃ VĂN QUAN",
            f"Mẫu số {no}",
            "Văn Quan, ngày 23 tháng 4 năm 2026",
        ):
            assert part in text, (no, part)
    t05 = text_of(client.get(f"/bao-ve/ho-so/{approved.uid}/mau-05.docx").content)
    assert (
        "QUYẾT ĐỊNH" in t05 and "TM. ỦY BAN NHÂN DÂN" in t05 and "CHỦ TỊCH" in t05 and "Số: …/QĐ-UBND" in t05
    )
    assert "3.000.000 đồng" in t05 and "Nơi nhận:" in t05
    t04 = text_of(client.get(f"/bao-ve/ho-so/{approved.uid}/mau-04.docx").content)
    assert (
        "Tư vấn, trị liệu tâm lý" in t04
        and "24/04/2026 – 30/06/2026" in t04
        and "Trạm Y tế xã Văn Quan" in t04
    )
    t07 = text_of(client.get(f"/bao-ve/ho-so/{approved.uid}/mau-07.docx").content)
    assert "không quá 15 ngày" in t07 and "Nhà bà ngoại" in t07
    t01 = text_of(client.get(f"/bao-ve/ho-so/{approved.uid}/mau-01.docx").content)
    assert "Lường Văn Báo" in t01 and "Hàng xóm thấy" in t01


@pytest.mark.django_db
def test_printed_form_hides_what_the_role_may_not_see(client, approved, people):
    client.force_login(people["chairman"])  # the chairman reads the case but not the reporter's identity
    t01 = text_of(client.get(f"/bao-ve/ho-so/{approved.uid}/mau-01.docx").content)
    assert "Lường Văn Báo" not in t01 and "0912345678" not in t01 and "hạn chế" in t01
    assert "Hàng xóm thấy" in t01
    client.force_login(people["other_officer"])
    assert client.get(f"/bao-ve/ho-so/{approved.uid}/mau-01.docx").status_code == 404
    assert client.get(f"/bao-ve/ho-so/{approved.uid}/mau-99.docx").status_code == 404


@pytest.mark.django_db
def test_printing_is_logged(client, approved, people, make_user):
    from treem.core.models import AccessEvent

    client.force_login(people["officer"])
    client.get(f"/bao-ve/ho-so/{approved.uid}/mau-02.docx")
    assert AccessEvent.objects.filter(
        user=people["officer"], object_id=str(approved.pk), purpose="in Mẫu 02"
    ).exists()
    assert Role.CHAIRMAN
