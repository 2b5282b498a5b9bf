"""De-duplication and register linkage: deterministic on ID, probabilistic otherwise, review queue,
merges that keep every source record (and can be undone), scoping of every step."""

import datetime

import pandas as pd
import pytest
from django.core.exceptions import PermissionDenied

from treem.core.models import AuditEvent
from treem.registry import linkage, matching, synth
from treem.registry.connectors import CsvExtract, RegisterUnavailable
from treem.registry.models import Child, MatchCandidate, MergeEvent, RegisterLink, Vaccination

pytestmark = pytest.mark.django_db


def test_engine_handles_vietnamese_corruptions():
    df = synth.population(3000, dup_fraction=0.2, communes=["06253", "06280", "06298"], seed=7)
    recs = df.rename(columns={"record_id": "unique_id", "commune_code": "commune"})
    result = matching.score(recs, threads=2)
    quality = matching.evaluate(result.pairs, synth.true_pairs(df))
    assert quality["precision"] >= 0.97 and quality["recall"] >= 0.93, quality


def test_engine_prepares_names_and_dates_in_sql():
    import duckdb

    con = duckdb.connect()
    frame = pd.DataFrame(
        {
            "unique_id": [1, 2],
            "full_name": ["Nguyễn  Thị Đào Hạnh", "Lò Văn"],
            "birth_date": [datetime.date(2019, 3, 5), datetime.date(2019, 1, 1)],
            "birth_date_precision": ["day", "year"],
            "sex": ["f", "m"],
            "commune": ["06253", "06253"],
            "personal_id": ["", "020219001234"],
        }
    )
    matching.prepare_duckdb(con, frame, "t")
    rows = con.execute(
        "select surname, middle, given, given_exact, dob, dob_key, dob_year, personal_id from t order by unique_id"
    ).fetchall()
    assert rows[0] == ("nguyen", "thi dao", "hanh", "hạnh", "2019-03-05", "20190305", 2019, None)
    assert rows[1] == ("lo", None, "van", "văn", None, None, 2019, "020219001234")


def test_dedupe_merges_same_id_and_queues_uncertain_pairs(officer, make_child):
    a = make_child(
        full_name="Hoàng Văn Tùng", birth_date=datetime.date(2019, 3, 5), personal_id="020219001234"
    )
    b = make_child(
        full_name="Hoang Van Tung", birth_date=datetime.date(2019, 3, 5), personal_id="020219001234"
    )
    Vaccination.objects.create(child=b, antigen="bcg", dose=1, date=datetime.date(2019, 3, 6))
    c = make_child(full_name="Lý Thị Mai", birth_date=datetime.date(2020, 5, 4), sex="f")
    d = make_child(
        full_name="Ly Thi Mai", birth_date=datetime.date(2020, 4, 5), sex="f", village_name="Bản Ranh"
    )
    for i in range(30):
        make_child(
            full_name=f"Trẻ Khác {chr(65 + i)}",
            birth_date=datetime.date(2015 + i % 8, 1 + i % 12, 1 + i % 27),
        )
    run = linkage.run_dedupe(officer, a.commune)
    b.refresh_from_db()
    assert b.status == "merged" and b.merged_into_id == a.pk
    assert Vaccination.objects.get(antigen="bcg").child_id == a.pk
    event = MergeEvent.objects.get(survivor=a, merged=b)
    assert event.snapshot["merged"]["full_name"] == "Hoang Van Tung" and event.moved["vaccinations"]
    pair = MatchCandidate.objects.filter(run=run, left__in=[c, d], right__in=[c, d]).get()
    assert pair.status in ("pending", "auto")
    assert AuditEvent.objects.filter(
        object_type="registry.child", object_id=str(b.pk), reason__contains="gộp"
    ).exists()
    assert Child.objects.filter(pk=b.pk).exists()  # the source record is kept


def test_merge_fills_gaps_and_undo_restores(officer, make_child):
    a = make_child(full_name="Lục Văn Nam", birth_date=datetime.date(2019, 1, 1), birth_date_precision="year")
    b = make_child(
        full_name="Luc Van Nam",
        birth_date=datetime.date(2019, 6, 7),
        personal_id="020219009999",
        village_name="Nà Pàn",
    )
    event = linkage.merge(officer, a, b)
    a.refresh_from_db()
    assert (
        a.personal_id == "020219009999"
        and a.birth_date == datetime.date(2019, 6, 7)
        and a.birth_date_precision == "day"
    )
    linkage.undo_merge(officer, event)
    a.refresh_from_db()
    b.refresh_from_db()
    assert (
        a.personal_id == "" and a.birth_date == datetime.date(2019, 1, 1) and a.birth_date_precision == "year"
    )
    assert b.status == "active" and b.merged_into is None
    with pytest.raises(linkage.LinkageError):
        linkage.undo_merge(officer, MergeEvent.objects.get(pk=event.pk))


def test_different_ids_are_never_merged(officer, make_child):
    a = make_child(full_name="Hà Văn Hai", birth_date=datetime.date(2019, 3, 5), personal_id="020219001234")
    b = make_child(full_name="Hà Văn Hai", birth_date=datetime.date(2019, 3, 5), personal_id="020219004321")
    with pytest.raises(linkage.LinkageError, match="số định danh khác"):
        linkage.merge(officer, a, b)


def test_other_commune_cannot_link_or_merge(other_officer, viewer, make_child):
    a = make_child(full_name="Ma Văn Một")
    b = make_child(full_name="Ma Van Mot")
    with pytest.raises(PermissionDenied):
        linkage.run_dedupe(other_officer, a.commune)
    with pytest.raises(PermissionDenied):
        linkage.run_dedupe(viewer, a.commune)
    with pytest.raises(PermissionDenied):
        linkage.merge(other_officer, a, b)
    run = linkage.LinkageRun.objects.create(kind="dedupe", unit=a.commune)
    cand = MatchCandidate.objects.create(run=run, left=a, right=b, probability=0.8)
    assert not linkage.review_queue(other_officer).exists()
    with pytest.raises(MatchCandidate.DoesNotExist):
        linkage.get_candidate_for(other_officer, cand.pk)


def test_dedupe_of_a_commune_does_not_touch_another(officer, other_officer, make_child, xa_diem_he):
    from treem.registry import services

    mine = make_child(
        full_name="Tô Văn Giống", birth_date=datetime.date(2018, 2, 2), personal_id="020218001111"
    )
    theirs = services.create_child(
        other_officer,
        {
            "full_name": "Tô Văn Giống",
            "birth_date": datetime.date(2018, 2, 2),
            "personal_id": "020218001111",
            "sex": "m",
            "commune": xa_diem_he,
        },
    )
    linkage.run_dedupe(officer, mine.commune)
    theirs.refresh_from_db()
    assert theirs.status == "active"
    assert (
        not MatchCandidate.objects.filter(right=theirs).exists()
        and not MatchCandidate.objects.filter(left=theirs).exists()
    )


def test_register_linkage_from_a_csv_extract(tmp_path, officer, make_child, xa_van_quan):
    a = make_child(full_name="Nông Thị Hiền", sex="f", birth_date=datetime.date(2020, 7, 9))
    b = make_child(full_name="Nong Van Khoa", sex="m", birth_date=datetime.date(2020, 9, 7))
    extract = tmp_path / "dan_cu.csv"
    extract.write_text(
        "so_dinh_danh,ho_ten,ngay_sinh,gioi_tinh,ma_xa,dia_chi,ngay_dang_ky_khai_sinh,noi_dang_ky_khai_sinh\n"
        "020320001111,Nông Thị Hiền,09/07/2020,Nữ,06253,Bản Ranh,20/07/2020,UBND xã Tú Xuyên\n"
        "020220002222,Nông Văn Khoa,07/09/2020,Nam,06253,Bản Ranh,01/10/2020,UBND xã Tú Xuyên\n"
        "020320003333,Người Ở Xã Khác,01/01/2020,Nữ,06280,,,\n",
        encoding="utf-8",
    )
    run = linkage.run_register(officer, xa_van_quan, CsvExtract(extract))
    a.refresh_from_db()
    assert RegisterLink.objects.get(child=a).citizen_key == "020320001111"
    assert a.personal_id == "020320001111" and a.birth_registration == "on_time"
    assert run.n_records == 2
    assert not MatchCandidate.objects.filter(register_key="020320003333").exists()
    assert MatchCandidate.objects.filter(run=run, left=b).exists()


def test_register_unavailable_is_a_clear_message(tmp_path):
    with pytest.raises(RegisterUnavailable, match="Không tìm thấy"):
        list(CsvExtract(tmp_path / "none.csv").citizens(["06253"], datetime.date(2010, 1, 1)))
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(RegisterUnavailable, match="thiếu cột"):
        list(CsvExtract(bad).citizens(["06253"], datetime.date(2010, 1, 1)))
