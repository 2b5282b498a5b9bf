"""Bulk import: the messy commune list gives the right clean records, flags and errors; broken files change nothing."""

import datetime
import unicodedata
import uuid
from pathlib import Path

import numpy as np
import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection

from treem.core.models import AuditEvent
from treem.registry import bulk, imports
from treem.registry.models import (
    Caregiver,
    Child,
    ColumnMemory,
    ImportBatch,
    ImportIssue,
    SpecialCircumstance,
)

pytestmark = pytest.mark.django_db
DATA = Path(__file__).with_name("data")
MESSY = (DATA / "messy_commune_list.xlsx").read_bytes()


def to_cp1258(text: str) -> bytes:
    """Windows-1258 bytes as old Vietnamese Windows software writes them (tone marks as combining characters)."""
    out = b""
    for ch in text:
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            d = unicodedata.normalize("NFD", ch)
            out += unicodedata.normalize("NFC", d[:-1]).encode("cp1258") + d[-1].encode("cp1258")
    return out


def issues(batch, row):
    return {(i.severity, i.code) for i in ImportIssue.objects.filter(batch=batch, row=row)}


def codes(batch, row, severity):
    return {c for s, c in issues(batch, row) if s == severity}


@pytest.fixture
def checked(officer, xa_van_quan):
    batch = imports.upload(officer, xa_van_quan, "danh sach xa.xlsx", MESSY)
    imports.set_mapping(officer, batch, batch.mapping)
    return imports.check(officer, batch)


def test_header_is_found_below_titles_with_two_rows_and_numbering(officer, xa_van_quan):
    batch = imports.upload(officer, xa_van_quan, "danh sach xa.xlsx", MESSY)
    assert batch.header_row == 4
    m = batch.mapping
    assert m["Họ và tên"] == "full_name" and m["Nam"] == "male_mark" and m["Nữ"] == "female_mark"
    assert m["Số định danh"] == "personal_id" and m["Xã"] == "commune" and m["Thôn"] == "village"
    assert (
        m["Ngày đăng ký khai sinh"] == "birth_registration_date" and m["Hoàn cảnh đặc biệt"] == "circumstance"
    )
    assert m["STT"] == "" and m["Ghi chú"] == ""


def test_report_names_every_defect_row_by_row(checked):
    b = checked
    assert codes(b, 7, "error") == set()
    assert "name_normalised" in codes(b, 8, "fixed") and "date_year_only" in codes(b, 8, "fixed")
    assert "date_two_digit_year" in codes(b, 10, "fixed")
    assert codes(b, 11, "warning") == set()  # 04/07/2018 read like the column's unambiguous dates …
    assert ImportIssue.objects.filter(
        batch=b, row=0, code="date_order_inferred", message__contains="ngày/tháng/năm"
    ).exists()
    assert "date_invalid" in codes(b, 12, "error")
    assert "birth_date_future" in codes(b, 13, "error")
    assert codes(b, 14, "error") == set() and codes(b, 15, "error") == set()
    assert "id_leading_zero" in codes(b, 16, "fixed")
    assert "id_length" in codes(b, 17, "error")
    assert "id_sex" in codes(b, 18, "error")
    assert "id_birth_year" in codes(b, 19, "error")
    assert "id_number_mangled" in codes(b, 20, "error")
    assert "commune_succession" in codes(b, 21, "fixed") and "commune_succession" in codes(b, 22, "fixed")
    assert "commune_unknown" in codes(b, 23, "error") and "commune_unknown" in codes(b, 24, "error")
    assert codes(b, 25, "error") == set()
    assert "ethnicity_unknown" in codes(b, 26, "error")
    assert "sex_both" in codes(b, 27, "error")
    assert "birth_date_missing" in codes(b, 28, "error")
    assert "duplicate_in_file" in codes(b, 29, "warning") and "duplicate_in_file" in codes(b, 30, "warning")
    assert "name_digits" in codes(b, 31, "error")
    assert issues(b, 32) == set()
    assert "name_legacy_font" in codes(b, 33, "error")
    assert "over_age" in codes(b, 34, "warning")
    assert "registration_before_birth" in codes(b, 35, "error")
    assert "circumstance_unknown" in codes(b, 38, "error")
    assert "total_row" in codes(b, 40, "fixed") and "footer" in codes(b, 42, "fixed")
    msg = ImportIssue.objects.get(batch=b, row=12, code="date_invalid").message
    assert (
        "31/02/2019" in msg and ImportIssue.objects.get(batch=b, row=12, code="date_invalid").column == "Nam"
    )
    assert b.counts["rows_with_errors"] == 15


def test_errors_block_the_apply_and_nothing_changes(officer, checked):
    before = Child.objects.count()
    with pytest.raises(imports.ImportRefused, match="15 dòng có lỗi"):
        imports.apply(officer, checked)
    assert Child.objects.count() == before


def test_apply_skipping_errors_gives_the_right_clean_records(officer, checked, xa_van_quan, old_tu_xuyen):
    checked.skip_errors = True
    checked.save()
    batch = imports.apply(officer, checked)
    assert batch.status == ImportBatch.Status.APPLIED
    kids = {c.import_row: c for c in Child.objects.filter(import_batch=batch)}
    assert set(kids) == {7, 8, 9, 10, 11, 14, 15, 16, 21, 22, 25, 34, 36, 37, 39}
    a = kids[7]
    assert (a.full_name, a.birth_date, a.sex, a.ethnicity_code, a.personal_id) == (
        "Nguyễn Văn An",
        datetime.date(2019, 3, 5),
        "m",
        "02",
        "020219001234",
    )
    assert a.birth_registration == "on_time" and a.village_name == "Bản Ranh"
    assert {(g.relationship, g.full_name) for g in Caregiver.objects.filter(child=a)} == {
        ("father", "Nguyễn Văn Ba"),
        ("mother", "Lý Thị Ca"),
    }
    b = kids[8]
    assert (b.full_name, b.birth_date, b.birth_date_precision, b.sex, b.ethnicity_code) == (
        "Nguyễn Thị Bình",
        datetime.date(2019, 1, 1),
        "year",
        "f",
        "01",
    )
    assert kids[9].full_name == "Hoàng Văn Cường" and kids[9].name_folded == "hoang van cuong"
    assert kids[10].birth_date == datetime.date(2019, 3, 5)
    assert kids[11].birth_date == datetime.date(2018, 7, 4)
    assert kids[14].birth_date == datetime.date(2020, 8, 15)
    assert kids[15].birth_date == datetime.date(2019, 3, 5)
    assert kids[16].personal_id == "020219001235"
    assert kids[21].commune == xa_van_quan and kids[21].source_unit == old_tu_xuyen
    assert kids[22].commune == xa_van_quan and kids[22].source_unit.code == "06253"
    assert kids[25].ethnicity_code == "08"
    assert kids[36].birth_registration == "yes"
    assert kids[39].birth_registration == "late"
    assert SpecialCircumstance.objects.get(child=kids[37]).group == "a"
    assert SpecialCircumstance.objects.get(child=kids[39]).group == "b"
    assert all(c.commune == xa_van_quan for c in kids.values())
    ev = AuditEvent.objects.filter(
        object_type="registry.importbatch", object_id=str(batch.pk), reason__contains="ghi"
    )
    assert ev.get().changes["children"] == [None, 15]


def test_reimporting_the_same_list_adds_nobody(officer, checked, xa_van_quan):
    checked.skip_errors = True
    checked.save()
    imports.apply(officer, checked)
    n = Child.objects.count()
    again = imports.run_import(officer, xa_van_quan, "lan 2.xlsx", MESSY, skip_errors=True)
    assert Child.objects.count() == n
    assert again.counts["written"] == 0
    assert ImportIssue.objects.filter(batch=again, code="already_registered").count() == 15


def test_failure_during_apply_rolls_everything_back(officer, checked, monkeypatch):
    checked.skip_errors = True
    checked.save()
    before = (Child.objects.count(), Caregiver.objects.count(), SpecialCircumstance.objects.count())

    def boom(*args, **kwargs):  # after every row is written: the audit of the import fails
        raise RuntimeError("disk full")

    monkeypatch.setattr(imports, "record_change", boom)
    with pytest.raises(RuntimeError):
        imports.apply(officer, checked)
    assert (Child.objects.count(), Caregiver.objects.count(), SpecialCircumstance.objects.count()) == before
    checked.refresh_from_db()
    assert checked.status == ImportBatch.Status.FAILED and "không có dữ liệu nào được ghi" in checked.message
    assert imports.get_progress(checked)["phase"] == "failed"


def _last_written_row(batch) -> int:
    """The file row that the writer writes last (rows go in personal-ID order)."""
    _, result = batch._clean
    _, rownums, _ = bulk.prepare(batch, result)
    return int(rownums[-1])


def _set_cell(batch, row: int, column: str, value) -> None:
    _, result = batch._clean
    r = int(np.flatnonzero(result.rownums == row)[0])
    result.columns[column][r] = value


def _index_definitions() -> set[tuple[str, str]]:
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", [Child._meta.db_table]
            )
        else:
            cur.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s",
                [Child._meta.db_table],
            )
        return set(cur.fetchall())


@pytest.mark.parametrize("rebuild", ["never", "always"])
def test_a_row_the_database_refuses_leaves_nothing_and_is_named(
    officer, checked, monkeypatch, settings, rebuild
):
    """A value refused by the database in the last chunk (earlier chunks already written): nothing stays,
    the indexes are as before, and the batch's message names the row and the column — not the value."""
    settings.TREEM_IMPORT_REBUILD_INDEXES = rebuild
    monkeypatch.setattr(bulk, "CHUNK", 4)
    checked.skip_errors = True
    checked.save()
    before = (
        Child.objects.count(),
        Caregiver.objects.count(),
        SpecialCircumstance.objects.count(),
        AuditEvent.objects.count(),
    )
    indexes = _index_definitions()
    row = _last_written_row(checked)
    _set_cell(checked, row, "birth_date_precision", None)  # NOT NULL in the registry
    with pytest.raises(
        imports.ImportWriteError, match=f"Dòng {row}, cột “Ngày sinh”: thiếu giá trị bắt buộc"
    ):
        imports.apply(officer, checked)
    assert (
        Child.objects.count(),
        Caregiver.objects.count(),
        SpecialCircumstance.objects.count(),
        AuditEvent.objects.count(),
    ) == before
    assert _index_definitions() == indexes
    checked.refresh_from_db()
    assert checked.status == ImportBatch.Status.FAILED and f"Dòng {row}" in checked.message
    assert "không có dữ liệu nào được ghi" in checked.message.lower()


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="only PostgreSQL enforces the length of a column"
)
def test_postgresql_refuses_a_too_long_value_row_named_nothing_written(officer, checked, monkeypatch):
    monkeypatch.setattr(bulk, "CHUNK", 4)
    checked.skip_errors = True
    checked.save()
    before = (Child.objects.count(), Caregiver.objects.count())
    row = _last_written_row(checked)
    _set_cell(checked, row, "village_name", "Bản " + "x" * 200)  # 150 at most
    with pytest.raises(imports.ImportWriteError) as err:
        imports.apply(officer, checked)
    assert f"Dòng {row}, cột “Thôn”: giá trị dài quá mức cho phép" in str(err.value) and "xxxx" not in str(
        err.value
    )
    assert (Child.objects.count(), Caregiver.objects.count()) == before


def test_a_unit_removed_after_the_check_is_named_before_anything_is_written(officer, checked):
    checked.skip_errors = True
    checked.save()
    row = _last_written_row(checked)
    _set_cell(checked, row, "commune_id", 10**12)
    before = Child.objects.count()
    with pytest.raises(imports.ImportWriteError, match=f"Dòng {row}, cột “Xã”: đơn vị hành chính không còn"):
        imports.apply(officer, checked)
    assert Child.objects.count() == before


def test_indexes_rebuilt_after_a_large_import_are_the_same(
    officer, checked, settings, monkeypatch, xa_van_quan
):
    """The rebuild path (drop the secondary indexes, write, build them again) writes the same records."""
    settings.TREEM_IMPORT_REBUILD_INDEXES = "always"
    monkeypatch.setattr(bulk, "CHUNK", 4)
    checked.skip_errors = True
    checked.save()
    indexes = _index_definitions()
    batch = imports.apply(officer, checked)
    assert batch._write_stats.rebuilt_indexes and batch._write_stats.written == 15
    assert _index_definitions() == indexes
    kids = {c.import_row: c for c in Child.objects.filter(import_batch=batch)}
    assert set(kids) == {7, 8, 9, 10, 11, 14, 15, 16, 21, 22, 25, 34, 36, 37, 39}
    assert kids[7].personal_id == "020219001234" and kids[7].commune == xa_van_quan
    assert SpecialCircumstance.objects.get(child=kids[39]).group == "b"


def test_auto_mode_rebuilds_only_for_large_imports_into_a_smaller_table(
    officer, checked, monkeypatch, settings
):
    settings.TREEM_IMPORT_REBUILD_INDEXES = "auto"
    checked.skip_errors = True
    checked.save()
    batch = imports.apply(officer, checked)  # 15 rows: below REBUILD_MIN_ROWS
    assert batch._write_stats.rebuilt_indexes == []
    monkeypatch.setattr(bulk, "REBUILD_MIN_ROWS", 1)
    text = "Họ và tên,Ngày sinh,Giới tính\n" + "".join(
        f"Lò Văn Tám {chr(65 + i)},0{i + 1}/05/2020,Nam\n" for i in range(3)
    )
    again = imports.run_import(officer, checked.unit, "ds.csv", text.encode())
    assert again._write_stats.rebuilt_indexes == []  # 3 rows into a registry already holding 15
    assert again.counts["written"] == 3


def test_progress_is_reported_chunk_by_chunk(officer, checked, monkeypatch):
    monkeypatch.setattr(bulk, "CHUNK", 4)
    seen = []
    real = imports.set_progress
    monkeypatch.setattr(
        imports, "set_progress", lambda b, phase, d, t: (seen.append((phase, d, t)), real(b, phase, d, t))
    )
    checked.skip_errors = True
    checked.save()
    batch = imports.apply(officer, checked)
    assert [d for phase, d, _ in seen if phase == "apply"] == [4, 8, 12, 15]
    assert seen[-1][0] == "applied" and imports.get_progress(batch)["percent"] == 100


def test_caregivers_and_the_audit_of_the_written_list(officer, checked):
    checked.skip_errors = True
    checked.save()
    batch = imports.apply(officer, checked)
    a = Child.objects.get(import_batch=batch, import_row=7)
    assert {
        (g.relationship, g.is_primary, g.lives_with_child) for g in Caregiver.objects.filter(child=a)
    } == {("father", True, True), ("mother", False, True)}
    assert all(len(str(c.uid)) == 36 and c.uid.version == 7 for c in Child.objects.filter(import_batch=batch))
    events = AuditEvent.objects.filter(
        object_type="registry.importbatch", object_id=str(batch.pk), reason__contains="ghi"
    )
    assert events.count() == 1 and events.get().changes == {
        "children": [None, 15]
    }  # counts only, no personal data


def test_time_ordered_uuids_are_unique_version_7_and_increasing():
    hexes = bulk.uuid7_hex(5000)
    uids = [uuid.UUID(hex=h.decode()) for h in hexes]
    assert len(set(uids)) == 5000 and all(u.version == 7 and u.variant == uuid.RFC_4122 for u in uids)
    assert uids == sorted(uids, key=lambda u: u.int)
    assert bulk.uuid7_hex(0).shape == (0,)


def test_names_longer_than_the_registry_keeps_are_errors(officer, xa_van_quan):
    long_name = "Nguyễn " + "Văn " * 60 + "An"
    text = f"Họ và tên,Ngày sinh,Giới tính\n{long_name},05/03/2019,Nam\nLò Văn Bảy,06/03/2019,Nam\n"
    batch = imports.upload(officer, xa_van_quan, "ds.csv", text.encode())
    imports.set_mapping(officer, batch, batch.mapping)
    imports.check(officer, batch)
    assert "name_too_long" in codes(batch, 2, "error")
    assert batch.counts["rows_with_errors"] == 1


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("ds.xlsx", b"PK\x03\x04 not really a zip", "bị hỏng"),
        ("ds.xlsx", MESSY[: len(MESSY) // 2], "bị hỏng"),
        ("ds.csv", b"", "rỗng"),
        ("ds.csv", "Họ và tên,Ngày sinh\n".encode(), "không có dòng dữ liệu"),
        ("ds.csv", b"a,b,c\n1,2,3\n", "dòng tiêu đề"),
        ("ds.xls", b"\xd0\xcf\x11\xe0", ".xlsx"),
        ("ds.pdf", b"%PDF-1.4", "Chỉ nhận"),
        ("ds.csv", b"\x00\x01\x02\x00" * 100, "không phải là văn bản"),
    ],
)
def test_broken_files_change_nothing(officer, xa_van_quan, name, data, message):
    before = (Child.objects.count(), ImportBatch.objects.count(), AuditEvent.objects.count())
    with pytest.raises(imports.ImportFileError, match=message):
        imports.upload(officer, xa_van_quan, name, data)
    assert (Child.objects.count(), ImportBatch.objects.count(), AuditEvent.objects.count()) == before


def test_csv_in_windows_1258_with_semicolons_and_mapping_memory(officer, xa_van_quan):
    text = "STT;Tên trẻ;Sinh ngày;Giới;Xóm\n1;Ma Văn Khôi;3/4/2020;nam;Khòn Nà\n2;Ma Thị Lan;13/4/2020;nữ;Khòn Nà\n"
    batch = imports.upload(officer, xa_van_quan, "ds.csv", to_cp1258(text))
    assert batch.mapping["Tên trẻ"] == "full_name" and batch.mapping["Sinh ngày"] == "birth_date"
    batch.mapping["Xóm"] = "village"
    imports.set_mapping(officer, batch, {**batch.mapping, "Giới": "sex"})
    assert ColumnMemory.objects.get(user=officer, header_folded="gioi").field == "sex"
    imports.check(officer, batch)
    imports.apply(officer, batch)
    khoi = Child.objects.get(name_folded="ma van khoi")
    assert khoi.birth_date == datetime.date(2020, 4, 3) and khoi.sex == "m" and khoi.village_name == "Khòn Nà"
    second = imports.upload(
        officer, xa_van_quan, "ds2.csv", "Tên trẻ,Sinh ngày,Giới\nMa Văn Lực,2020,nam\n".encode()
    )
    assert second.mapping["Giới"] == "sex"


def test_mapping_is_validated(officer, xa_van_quan, viewer):
    batch = imports.upload(officer, xa_van_quan, "ds.xlsx", MESSY)
    with pytest.raises(imports.ImportRefused, match="Họ và tên"):
        imports.set_mapping(
            officer, batch, {h: ("" if f == "full_name" else f) for h, f in batch.mapping.items()}
        )
    with pytest.raises(imports.ImportRefused, match="nhiều cột"):
        imports.set_mapping(officer, batch, {**batch.mapping, "Ghi chú": "full_name"})
    with pytest.raises(imports.ImportRefused, match="không hợp lệ"):
        imports.set_mapping(officer, batch, {**batch.mapping, "Ghi chú": "password"})
    with pytest.raises(PermissionDenied):
        imports.set_mapping(viewer, batch, batch.mapping)


def test_roles_without_sensitive_rights_cannot_import_sensitive_columns(make_user, xa_van_quan):
    from treem.accounts.models import Role

    reporter = make_user(xa_van_quan, Role.AGENCY_REPORTER)
    batch = imports.upload(reporter, xa_van_quan, "ds.xlsx", MESSY)
    with pytest.raises(imports.ImportRefused, match="số định danh"):
        imports.set_mapping(reporter, batch, batch.mapping)


def test_viewer_cannot_upload(viewer, xa_van_quan):
    with pytest.raises(PermissionDenied):
        imports.upload(viewer, xa_van_quan, "ds.xlsx", MESSY)


def test_mixed_day_month_order_is_flagged(officer, xa_van_quan):
    text = "Họ và tên,Ngày sinh,Giới tính\nLò Văn A,25/03/2020,Nam\nLò Văn B,03/26/2020,Nam\nLò Văn C,04/05/2020,Nam\n"
    batch = imports.upload(officer, xa_van_quan, "ds.csv", text.encode())
    imports.set_mapping(officer, batch, batch.mapping)
    imports.check(officer, batch)
    assert ImportIssue.objects.filter(batch=batch, code="date_order_mixed").exists()
    assert ImportIssue.objects.filter(batch=batch, row=3, code="date_invalid").exists()
    assert ImportIssue.objects.filter(batch=batch, row=4, code="date_ambiguous").exists()


def test_us_ordered_column_is_read_as_month_day(officer, xa_van_quan):
    text = "Họ và tên,Ngày sinh,Giới tính\nLò Văn A,03/25/2020,Nam\nLò Văn D,04/05/2020,Nam\n"
    batch = imports.run_import(officer, xa_van_quan, "ds.csv", text.encode())
    assert Child.objects.get(name_folded="lo van d").birth_date == datetime.date(2020, 4, 5)
    assert ImportIssue.objects.filter(
        batch=batch, row=0, code="date_order_inferred", severity="warning", message__contains="tháng/ngày"
    ).exists()


def test_ambiguous_dates_without_evidence_are_flagged_one_by_one(officer, xa_van_quan):
    text = "Họ và tên,Ngày sinh,Giới tính\nLò Văn A,03/04/2020,Nam\nLò Văn B,05/06/2020,Nam\n"
    batch = imports.upload(officer, xa_van_quan, "ds.csv", text.encode())
    imports.set_mapping(officer, batch, batch.mapping)
    imports.check(officer, batch)
    assert ImportIssue.objects.filter(batch=batch, code="date_ambiguous").count() == 2
    assert "03/04/2020" in ImportIssue.objects.filter(batch=batch, row=2).get().message


def test_the_garbage_collector_is_on_again_after_each_step(officer, xa_van_quan):
    import gc

    assert gc.isenabled()
    with pytest.raises(imports.ImportFileError):
        imports.upload(officer, xa_van_quan, "ds.csv", b"")
    assert gc.isenabled()
    imports.run_import(
        officer, xa_van_quan, "ds.csv", "Họ và tên,Ngày sinh,Giới tính\nLò Văn Chín,05/03/2019,Nam\n".encode()
    )
    assert gc.isenabled()


def test_imported_children_never_take_the_id_of_a_deleted_record(officer, checked, make_child):
    gone = make_child().pk
    Child.objects.filter(pk=gone).delete()
    checked.skip_errors = True
    checked.save()
    batch = imports.apply(officer, checked)
    ids = list(Child.objects.filter(import_batch=batch).values_list("id", flat=True))
    assert len(set(ids)) == 15 and min(ids) > gone
    assert (
        Caregiver.objects.filter(child_id__in=ids).count()
        == Caregiver.objects.filter(child__import_batch=batch).count()
        > 0
    )
