"""Import pages: upload, progress, review, edit, confirm; scoping (another unit gets 404); bad input saves nothing."""

import io
import json
import re
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.urls import reverse

from tests.conftest import unit
from treem.accounts.models import Role
from treem.core.models import AuditEvent
from treem.documents import services
from treem.documents.models import ImportStatus, PlanImport
from treem.geo.models import Generation, Level
from treem.plans.models import PlanDocument, PlanStatus, TargetComponent

ROOT = Path(__file__).resolve().parents[2]
SEED_004 = ROOT / "treem" / "plans" / "seeds" / "seed_004.txt"
DATA = Path(__file__).resolve().parent / "data"

COMMUNE_PLAN = """ỦY BAN NHÂN DÂN            CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
XÃ THỬ NGHIỆM                   Độc lập - Tự do - Hạnh phúc

Số: 07/KH-UBND            Thử Nghiệm, ngày 10 tháng 3 năm 2025

KẾ HOẠCH
Bảo vệ, chăm sóc trẻ em trên địa bàn xã năm 2025

Thực hiện Kế hoạch số 194/KH-UBND ngày 12/8/2024 của UBND tỉnh Lạng Sơn, UBND xã ban hành Kế hoạch như sau:

I. MỤC TIÊU
1. Mục tiêu cụ thể
- Chỉ tiêu 1: Giảm tỷ lệ trẻ em dưới 5 tuổi suy dinh dưỡng thể thấp còi xuống dưới 18% vào năm 2025.
- Chỉ tiêu 2: 100% trẻ em dưới 1 tuổi được tiêm chủng đầy đủ các loại vắc xin vào năm 2025.

II. TỔ CHỨC THỰC HIỆN
1. Trạm Y tế xã chủ trì thực hiện chỉ tiêu 1, 2.
2. Công chức Văn hóa - Xã hội theo dõi, tổng hợp, báo cáo kết quả thực hiện hằng năm về UBND xã trước ngày 15/11.

TM. ỦY BAN NHÂN DÂN
CHỦ TỊCH
Nguyễn Văn Bình
"""


class FormValues(HTMLParser):
    """The values a browser would post from the review form (inputs, selects, textareas; not <template>s)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.values, self.depth, self.select, self.first, self.area = {}, 0, None, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "template":
            self.depth += 1
        if self.depth:
            return
        if tag == "input" and a.get("name") and a.get("type") not in ("submit", "button", "file"):
            if a["name"] != "csrfmiddlewaretoken":
                self.values[a["name"]] = a.get("value") or ""
        elif tag == "select" and a.get("name"):
            self.select, self.first = a["name"], None
        elif tag == "option" and self.select:
            if self.first is None:
                self.first = a.get("value", "")
                self.values.setdefault(self.select, self.first)
            if "selected" in a:
                self.values[self.select] = a.get("value", "")
        elif tag == "textarea" and a.get("name"):
            self.area = a["name"]
            self.values[self.area] = ""

    def handle_endtag(self, tag):
        if tag == "template":
            self.depth -= 1
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.area = None

    def handle_data(self, data):
        if self.area and not self.depth:
            self.values[self.area] += data


def form_values(response) -> dict:
    parser = FormValues()
    parser.feed(response.content.decode())
    return parser.values


@pytest.fixture(autouse=True)
def inline_jobs(settings, tmp_path):
    """Read uploads inline, store them in a temporary media directory."""
    settings.TREEM_JOBS = "sync"
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def places(db):
    """Hương Trà (seed 004's district), a commune under it, and a commune of another province."""
    huong_tra = unit("480", Level.DISTRICT)
    return {
        "huong_tra": huong_tra,
        "commune_below": huong_tra.children.filter(level=Level.COMMUNE).order_by("code").first(),
        "other_commune": unit("06253", Level.COMMUNE, Generation.Y2025),
        "lang_son_2025": unit("20", Level.PROVINCE, Generation.Y2025),
    }


@pytest.fixture
def people(make_user, places):
    return {
        "manager": make_user(places["huong_tra"], Role.UNIT_MANAGER, username="ht_manager"),
        "viewer": make_user(places["huong_tra"], Role.VIEWER, username="ht_viewer"),
        "below": make_user(places["commune_below"], Role.COMMUNE_OFFICER, username="ht_commune"),
        "other": make_user(places["other_commune"], Role.COMMUNE_OFFICER, username="other_commune"),
    }


def upload(client, name, content, unit_obj, follow=False):
    f = io.BytesIO(content)
    f.name = name
    return client.post(reverse("documents:index"), {"file": f, "unit": unit_obj.pk}, follow=follow)


@pytest.fixture
def seed_import(client, people, places):
    """Seed 004 uploaded by Hương Trà's manager (read inline)."""
    client.force_login(people["manager"])
    response = upload(client, "seed_004.txt", SEED_004.read_bytes(), places["huong_tra"])
    assert response.status_code == 302
    return PlanImport.objects.latest("pk")


# ---------------------------------------------------------------- upload and progress


def test_upload_page_offers_the_users_units_with_their_own_selected(client, people, places):
    client.force_login(people["manager"])
    response = client.get(reverse("documents:index"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert re.search(rf'<option value="{places["huong_tra"].pk}" selected>', html)
    assert f'value="{places["commune_below"].pk}"' in html
    assert f'value="{places["other_commune"].pk}"' not in html


def test_upload_reads_the_document_and_opens_the_review_screen(client, seed_import):
    imp = seed_import
    assert imp.status == ImportStatus.READY and imp.progress == 100
    assert imp.text and len(imp.extraction["targets"]) == 18
    assert imp.file and imp.original_name == "seed_004.txt"
    response = client.get(reverse("documents:detail", args=[imp.pk]))
    assert response.status_code == 302 and response.url == reverse("documents:review", args=[imp.pk])
    response = client.get(response.url)
    html = response.content.decode()
    assert response.status_code == 200
    # the source text with highlighted items, and the form with every target
    assert html.count('id="src-t') >= 18 and 'data-ref="t0c0"' in html
    assert 'class="hl hl-comp' in html and "hl-low" in html
    assert (
        len(re.findall(r'class="item item-target[^"]*" data-ref="t\d+" data-prefix="targets-\d+"', html))
        == 18
    )
    assert "Cần rà soát" in html  # low-confidence items are flagged
    assert 'name="targets-1-components-0-value" id="f-targets-1-components-0-value" value="1"' in html
    assert "documents/review.js" in html
    assert 'id="existing-plan"' in html  # the seed plan is already in TreEm: confirming updates it


def test_the_progress_page_and_its_json(client, people, places):
    client.force_login(people["manager"])
    imp = PlanImport.objects.create(
        original_name="dai.pdf",
        unit=places["huong_tra"],
        uploaded_by=people["manager"],
        status=ImportStatus.READING,
        progress=42,
        pages=180,
        progress_message="Đang đọc trang 90/180",
    )
    response = client.get(reverse("documents:detail", args=[imp.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<progress id="import-progress" max="100" value="42"' in html and "documents/progress.js" in html
    data = client.get(reverse("documents:status", args=[imp.pk])).json()
    assert data == {
        "status": "reading",
        "progress": 42,
        "message": "Đang đọc trang 90/180",
        "pages": 180,
        "error": "",
        "url": reverse("documents:detail", args=[imp.pk]),
    }


def test_a_long_pdf_reports_progress_per_page(client, people, places, monkeypatch):
    """Reading runs page by page; the progress stored on the import moves with it."""
    seen = []
    original = services._set

    def spy(pk, **fields):
        if "pages" in fields and "trang" in fields.get("progress_message", ""):
            seen.append((fields["progress"], fields["pages"]))
        original(pk, **fields)

    monkeypatch.setattr(services, "_set", spy)
    client.force_login(people["manager"])
    upload(client, "plan.pdf", (DATA / "plan_05_pdf.pdf").read_bytes(), places["huong_tra"])
    imp = PlanImport.objects.latest("pk")
    assert imp.status == ImportStatus.READY and imp.kind == "pdf" and imp.pages >= 2
    assert len(seen) >= 2 and seen == sorted(seen) and seen[-1][0] == 85


def test_reading_runs_in_a_background_thread_by_default(
    client, people, places, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.TREEM_JOBS = "thread"
    started = []

    class FakeThread:
        def __init__(self, target, args, daemon, name):
            self.target, self.args, self.daemon, self.name = target, args, daemon, name

        def start(self):
            started.append(self)

    from treem.core import jobs

    monkeypatch.setattr(jobs.threading, "Thread", FakeThread)
    client.force_login(people["manager"])
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, "seed_004.txt", SEED_004.read_bytes(), places["huong_tra"])
    imp = PlanImport.objects.latest("pk")
    assert response.status_code == 302 and response.url == imp.get_absolute_url()
    assert imp.status == ImportStatus.QUEUED  # nothing was read in the request
    assert [(t.target, t.args, t.daemon) for t in started] == [(services._thread_main, (imp.pk,), True)]
    page = client.get(imp.get_absolute_url()).content.decode()
    assert 'id="import-progress"' in page
    services.run_import(imp.pk)  # what the thread does
    imp.refresh_from_db()
    assert imp.status == ImportStatus.READY
    assert client.get(reverse("documents:status", args=[imp.pk])).json()["url"] == reverse(
        "documents:review", args=[imp.pk]
    )


def test_a_stalled_import_fails_with_a_message(client, people, places):
    client.force_login(people["manager"])
    imp = PlanImport.objects.create(
        original_name="x.txt", unit=places["huong_tra"], status=ImportStatus.READING, progress=10
    )
    PlanImport.objects.filter(pk=imp.pk).update(updated_at=imp.updated_at - services.STALL_AFTER * 2)
    data = client.get(reverse("documents:status", args=[imp.pk])).json()
    assert data["status"] == "failed" and "tải lên lại" in data["error"]


# ---------------------------------------------------------------- bad input saves nothing


def _corrupt_docx() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("hello.txt", "xin chào")
    return buf.getvalue()


BAD = [
    ("empty.txt", b"", "empty", "trống"),
    ("data.txt", bytes(range(256)) * 40, "binary", "không phải là văn bản"),
    ("broken.docx", _corrupt_docx(), "corrupt_docx", "DOCX"),
    ("broken.pdf", b"%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage", "corrupt_pdf", "PDF"),
    (
        "cong_van.txt",
        (DATA / "plan_07_cong_van_no_targets.txt").read_bytes(),
        "no_targets",
        "Không tìm thấy chỉ tiêu",
    ),
    ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "doc_legacy", ".docx"),
]


@pytest.mark.parametrize(("name", "content", "code", "words"), BAD, ids=[b[2] for b in BAD])
def test_bad_input_shows_the_message_and_saves_nothing(client, people, places, name, content, code, words):
    client.force_login(people["manager"])
    plans_before = PlanDocument.objects.count()
    response = upload(client, name, content, places["huong_tra"], follow=True)
    imp = PlanImport.objects.latest("pk")
    assert imp.status == ImportStatus.FAILED and imp.error_code == code
    assert words in imp.error_message
    assert not imp.file and not imp.text and imp.extraction is None
    assert PlanDocument.objects.count() == plans_before
    html = response.content.decode()
    assert response.status_code == 200 and 'id="import-error"' in html
    assert imp.error_message.replace("“", "&ldquo;")[:20] in html or imp.error_message[:20] in html
    # the review screen is not reachable for a failed import
    assert client.get(reverse("documents:review", args=[imp.pk])).status_code == 302


def test_a_file_over_the_limit_is_refused_without_storing_it(client, people, places, settings, tmp_path):
    settings.TREEM_IMPORT_MAX_BYTES = 10_000
    client.force_login(people["manager"])
    response = upload(client, "big.txt", SEED_004.read_bytes(), places["huong_tra"], follow=True)
    imp = PlanImport.objects.latest("pk")
    assert imp.status == ImportStatus.FAILED and imp.error_code == "too_large"
    assert "quá lớn" in imp.error_message and "giới hạn" in imp.error_message
    assert not imp.file and not list((tmp_path / "media").rglob("*.txt"))
    assert "quá lớn" in response.content.decode()


# ---------------------------------------------------------------- review, edit, confirm


def test_confirming_updates_the_plan_already_in_treem_and_audits_it(client, people, seed_import):
    seed = PlanDocument.objects.get(key="seed-004")
    review = client.get(reverse("documents:review", args=[seed_import.pk]))
    values = form_values(review)
    assert values["targets-1-components-0-value"] == "1"
    values["targets-1-components-0-value"] = "0,8"  # the official corrects one value
    values["action"] = "confirm"
    response = client.post(reverse("documents:review", args=[seed_import.pk]), values)
    assert response.status_code == 302 and response.url == reverse("plans:detail", args=[seed.pk])
    plan = PlanDocument.objects.get(pk=seed.pk)
    assert plan.key == "seed-004" and plan.status == PlanStatus.ACTIVE
    assert plan.targets.count() == 18 and plan.full_text == seed_import.text
    target = plan.targets.get(number="2")
    assert [float(c.value) for c in target.components.all()] == [0.8, 0.3, 0.5]
    assert target.components.first().indicator.code == "YT_TV_SO_SINH"
    # linked to the parents already in TreEm
    assert {r.number for r in plan.references.all()} >= {"208/KH-UBND", "07/2021/NQ-HĐND"}
    assert all(r.referenced_id for r in plan.references.all())
    seed_import.refresh_from_db()
    assert seed_import.status == ImportStatus.CONFIRMED and seed_import.plan_id == plan.pk
    assert seed_import.confirmed_by == people["manager"]
    event = AuditEvent.objects.get(object_type="plans.plandocument", object_id=str(plan.pk), action="update")
    assert event.user == people["manager"] and event.unit == seed_import.unit
    assert "targets[1].components[0].value" in event.changes["corrections"]
    # the plan page shows the corrected target
    page = client.get(response.url).content.decode()
    assert "0,8" in page
    # confirming again updates the same plan, never a second one
    count = PlanDocument.objects.count()
    again = client.post(reverse("documents:review", args=[seed_import.pk]), values)
    assert again.status_code == 302 and PlanDocument.objects.count() == count


def test_confirming_a_new_plan_creates_it_and_links_its_parent(client, people, places, make_user):
    officer = make_user(places["lang_son_2025"], Role.UNIT_MANAGER, username="ls_manager")
    client.force_login(officer)
    commune = places["other_commune"]
    response = upload(client, "kh07.txt", COMMUNE_PLAN.encode(), commune)
    imp = PlanImport.objects.latest("pk")
    assert response.status_code == 302 and imp.status == ImportStatus.READY and imp.unit == commune
    review = client.get(reverse("documents:review", args=[imp.pk]))
    html = review.content.decode()
    assert "Có trong TreEm:" in html  # 194/KH-UBND is already in TreEm
    values = form_values(review)
    values["action"] = "confirm"
    response = client.post(reverse("documents:review", args=[imp.pk]), values)
    plan = PlanDocument.objects.get(number="07/KH-UBND", issuing_unit=commune)
    assert response.status_code == 302 and response.url == plan.get_absolute_url()
    assert (
        plan.targets.count() == 2
        and plan.assignments.count() >= 1
        and plan.reporting_requirements.count() == 1
    )
    parent = PlanDocument.objects.get(number="194/KH-UBND")
    assert plan.references.get().referenced == parent
    assert AuditEvent.objects.filter(
        object_type="plans.plandocument", object_id=str(plan.pk), action="create"
    ).exists()


def test_rows_can_be_added_and_removed(client, seed_import):
    values = form_values(client.get(reverse("documents:review", args=[seed_import.pk])))
    # remove target 18 (index 17) and the second component of target 2; add a target with one component
    for key in [k for k in values if k.startswith(("targets-17-", "targets-1-components-1-"))]:
        del values[key]
    values.update(
        {
            "targets-99-number": "19",
            "targets-99-group": "Bổ sung",
            "targets-99-text": "100% trường học có tủ sách pháp luật về trẻ em.",
            "targets-99-components-0-indicator": "trường học có tủ sách pháp luật",
            "targets-99-components-0-indicator_code": "",
            "targets-99-components-0-comparator": "ge",
            "targets-99-components-0-value": "100",
            "targets-99-components-0-unit": "%",
            "targets-99-components-0-year": "2025",
            "targets-99-components-0-qualifier": "",
            "action": "confirm",
        }
    )
    response = client.post(reverse("documents:review", args=[seed_import.pk]), values)
    # target 18 is still assigned: the screen says so, naming the assignment
    assert response.status_code == 400
    assert "chỉ tiêu 18 không có trong kế hoạch" in response.content.decode()
    for key in [k for k in values if re.fullmatch(r"assignments-\d+-targets", k)]:
        values[key] = ", ".join(n for n in re.split(r"[,\s]+", values[key]) if n and n != "18")
    response = client.post(reverse("documents:review", args=[seed_import.pk]), values)
    assert response.status_code == 302
    plan = PlanDocument.objects.get(key="seed-004")
    numbers = list(plan.targets.values_list("number", flat=True))
    assert len(numbers) == 18 and numbers[-1] == "19" and "18" not in numbers
    assert plan.targets.get(number="2").components.count() == 2
    added = plan.targets.get(number="19").components.get()
    assert (added.comparator, added.value, added.year, added.indicator) == ("ge", 100, 2025, None)


def test_a_long_plan_is_posted_as_one_json_payload(client, seed_import):
    """The page's script packs the fields into one value: Django refuses more than 1000 fields per request."""
    values = form_values(client.get(reverse("documents:review", args=[seed_import.pk])))
    for i in range(100, 200):
        values.update(
            {
                f"targets-{i}-number": str(i),
                f"targets-{i}-text": f"Chỉ tiêu bổ sung {i}: 100% trường học an toàn.",
                f"targets-{i}-components-0-indicator": "trường học an toàn",
                f"targets-{i}-components-0-comparator": "ge",
                f"targets-{i}-components-0-value": "100",
                f"targets-{i}-components-0-unit": "%",
                f"targets-{i}-components-0-year": "2025",
            }
        )
    assert len(values) > 1000
    post = {"payload": json.dumps(values, ensure_ascii=False), "action": "confirm"}
    response = client.post(reverse("documents:review", args=[seed_import.pk]), post)
    assert response.status_code == 302
    assert PlanDocument.objects.get(key="seed-004").targets.count() == 118
    broken = client.post(
        reverse("documents:review", args=[seed_import.pk]), {"payload": "{", "action": "confirm"}
    )
    assert broken.status_code == 400 and "Trích yếu: không được để trống" in broken.content.decode()


def test_invalid_edits_are_named_and_nothing_is_stored(client, seed_import):
    seed = PlanDocument.objects.get(key="seed-004")
    before = list(TargetComponent.objects.filter(target__plan=seed).values_list("pk", "value"))
    values = form_values(client.get(reverse("documents:review", args=[seed_import.pk])))
    values.update(
        {
            "targets-1-components-0-value": "abc",
            "targets-1-components-1-year": "20x5",
            "targets-2-number": "1",
            "targets-0-text": "",
            "assignments-0-targets": "1, 99",
            "reporting-0-deadline": "31/02",
            "doc-date": "31/02/2021",
            "targets-0-components-0-unit": "phần trăm",
            "action": "confirm",
        }
    )
    response = client.post(reverse("documents:review", args=[seed_import.pk]), values)
    assert response.status_code == 400
    html = response.content.decode()
    for message in [
        "Chỉ tiêu 2 › thành phần 1 › Giá trị: “abc” không phải là số",
        "Chỉ tiêu 2 › thành phần 2 › Năm mốc: “20x5” không phải là năm",
        "Chỉ tiêu 1 › Số chỉ tiêu: số “1” trùng với chỉ tiêu thứ 1.",
        "Chỉ tiêu 1 › Nội dung chỉ tiêu: không được để trống.",
        "Chỉ tiêu 1 › thành phần 1 › Đơn vị: “phần trăm” không phải là lựa chọn hợp lệ.",
        "› Chỉ tiêu được giao: chỉ tiêu 99 không có trong kế hoạch.",
        "Chế độ báo cáo 1 › Hạn báo cáo: “31/02” không phải là ngày/tháng hợp lệ",
        "Thông tin văn bản › Ngày ban hành: “31/02/2021” không phải là ngày hợp lệ",
    ]:
        assert message.replace("“", "&ldquo;").replace("”", "&rdquo;") in html or message in html, message
    # the wrong values are shown back in their fields, marked invalid
    assert 'id="f-targets-1-components-0-value" aria-invalid="true"' in html and 'value="abc"' in html
    assert list(TargetComponent.objects.filter(target__plan=seed).values_list("pk", "value")) == before
    seed_import.refresh_from_db()
    assert seed_import.status == ImportStatus.READY and seed_import.plan_id is None
    assert not AuditEvent.objects.filter(object_type="plans.plandocument", object_id=str(seed.pk)).exists()


def test_saving_a_review_keeps_the_edits_without_storing_the_plan(client, seed_import):
    values = form_values(client.get(reverse("documents:review", args=[seed_import.pk])))
    values.update({"targets-0-components-0-value": "95", "action": "save"})
    response = client.post(reverse("documents:review", args=[seed_import.pk]), values)
    assert response.status_code == 302
    seed_import.refresh_from_db()
    assert seed_import.reviewed["targets"][0]["components"][0]["value"] == 95
    assert seed_import.status == ImportStatus.READY and seed_import.plan_id is None
    again = form_values(client.get(reverse("documents:review", args=[seed_import.pk])))
    assert again["targets-0-components-0-value"] == "95"
    # an invalid draft is kept too, with its problems listed
    values.update({"targets-0-components-0-value": "chín lăm"})
    response = client.post(reverse("documents:review", args=[seed_import.pk]), values)
    assert response.status_code == 200 and "không phải là số" in response.content.decode()
    seed_import.refresh_from_db()
    assert seed_import.reviewed["targets"][0]["components"][0]["value"] == "chín lăm"


def test_an_edited_low_confidence_item_is_stored_as_reviewed(client, seed_import):
    html = client.get(reverse("documents:review", args=[seed_import.pk])).content.decode()
    assert 'class="item item-comp is-low" data-ref="t0c0"' in html
    values = form_values(client.get(reverse("documents:review", args=[seed_import.pk])))
    assert float(values["targets-0-components-0-confidence"]) < 0.7
    values.update(
        {"targets-0-components-0-confidence": "1", "action": "save"}
    )  # what the page's script does on edit
    client.post(reverse("documents:review", args=[seed_import.pk]), values)
    html = client.get(reverse("documents:review", args=[seed_import.pk])).content.decode()
    assert 'class="item item-comp" data-ref="t0c0"' in html


# ---------------------------------------------------------------- scoping


def _urls(imp):
    return [
        ("get", reverse("documents:detail", args=[imp.pk])),
        ("get", reverse("documents:status", args=[imp.pk])),
        ("get", reverse("documents:review", args=[imp.pk])),
        ("post", reverse("documents:review", args=[imp.pk])),
    ]


def test_another_communes_user_gets_404_everywhere(client, people, seed_import):
    plans_before = PlanDocument.objects.count()
    client.force_login(people["other"])
    for method, url in _urls(seed_import):
        response = getattr(client, method)(url, {"action": "confirm"} if method == "post" else None)
        assert response.status_code == 404, url
    assert PlanDocument.objects.count() == plans_before
    listing = client.get(reverse("documents:index")).content.decode()
    assert "seed_004.txt" not in listing


def test_a_unit_below_cannot_see_its_districts_import_but_the_district_sees_the_units_below(
    client, people, places
):
    client.force_login(people["manager"])
    upload(client, "seed_004.txt", SEED_004.read_bytes(), places["huong_tra"])
    district_import = PlanImport.objects.latest("pk")
    client.force_login(people["below"])
    for method, url in _urls(district_import):
        assert getattr(client, method)(url).status_code == 404, url
    upload(client, "kh07.txt", COMMUNE_PLAN.encode(), places["commune_below"])
    commune_import = PlanImport.objects.latest("pk")
    assert commune_import.unit == places["commune_below"]
    client.force_login(people["manager"])
    for method, url in _urls(commune_import)[:3]:
        assert getattr(client, method)(url, follow=True).status_code == 200, url
    assert "kh07.txt" in client.get(reverse("documents:index")).content.decode()


def test_a_viewer_cannot_import_and_cannot_open_imports(client, people, seed_import):
    client.force_login(people["viewer"])
    assert client.get(reverse("documents:index")).status_code == 403
    for method, url in _urls(seed_import):
        assert getattr(client, method)(url).status_code == 404, url


def test_uploading_for_a_unit_outside_ones_scope_is_refused(client, people, places):
    client.force_login(people["below"])
    count = PlanImport.objects.count()
    response = upload(client, "seed_004.txt", SEED_004.read_bytes(), places["huong_tra"])
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert PlanImport.objects.count() == count


def test_anonymous_users_are_sent_to_the_login_page(client, seed_import):
    client.logout()
    for url in [reverse("documents:index")] + [u for _m, u in _urls(seed_import)]:
        response = client.get(url)
        assert response.status_code == 302 and reverse("login") in response.url
