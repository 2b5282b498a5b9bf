"""The review screen's pieces: highlighting by span, reading the posted form back, the extraction prepared."""

from django.http import QueryDict

from treem.documents.review import blank_rows, collect, form_rows, highlight, prepare, read_post, spans_of


def test_highlight_escapes_the_text_and_nests_items():
    html = highlight("a <b> dưới 5% & c", [(0, 17, "t0", "hl-targets"), (6, 13, "t0c0", "hl-comp hl-low")])
    assert html == (
        '<mark class="hl hl-targets" data-ref="t0" id="src-t0">a &lt;b&gt; </mark>'
        '<mark class="hl hl-targets" data-ref="t0"><mark class="hl hl-comp hl-low" data-ref="t0c0" id="src-t0c0">dưới 5%</mark></mark>'
        '<mark class="hl hl-targets" data-ref="t0"> &amp; c</mark>'
    )


def test_highlight_splits_crossing_spans_and_ignores_bad_ones():
    html = highlight(
        "abcdef", [(0, 4, "a", "x"), (2, 6, "b", "y"), (5, 99, "bad", "z"), (3, 3, "empty", "z")]
    )
    assert html.count('id="src-a"') == 1 and html.count('id="src-b"') == 1
    assert "bad" not in html and "empty" not in html
    assert html.replace("</mark>", "").count("<mark") == 4  # a | a+b | b
    text = "".join(part.split(">")[-1] for part in html.split("</mark>"))
    assert text == "abcdef"


def test_spans_of_gives_every_item_a_ref_matching_its_row():
    data = {
        "document": {
            "spans": {"title": [0, 5]},
            "confidence": {"title": 0.5},
            "implements": [{"number": "1/KH", "span": [6, 8]}],
        },
        "targets": [
            {"span": [10, 20], "confidence": 0.9, "components": [{"span": [12, 14], "confidence": 0.6}]}
        ],
        "assignments": [{"span": [30, 40]}],
        "reporting": [{"span": None}],
        "tasks": [{"span": [50, 60]}],
    }
    assert spans_of(data) == [
        (0, 5, "doc-title", "hl-doc hl-low"),
        (6, 8, "imp0", "hl-doc"),
        (10, 20, "t0", "hl-targets"),
        (12, 14, "t0c0", "hl-comp hl-low"),
        (30, 40, "a0", "hl-assignments"),
        (50, 60, "k0", "hl-tasks"),
    ]


def test_collect_orders_rows_by_index_and_nests_components():
    post = QueryDict(mutable=True)
    post.update(
        {
            "doc-title": " Kế hoạch ",
            "targets-10-number": "b",
            "targets-2-number": "a",
            "targets-2-components-7-value": "5",
            "targets-2-components-1-value": "1",
            "tasks-0-title": "x",
            "junk": "1",
        }
    )
    raw = collect(post)
    assert raw["doc"]["title"] == "Kế hoạch"
    assert [t["number"] for t in raw["targets"]] == ["a", "b"]
    assert [c["value"] for c in raw["targets"][0]["components"]] == ["1", "5"]
    assert raw["tasks"] == [{"title": "x"}] and raw["assignments"] == []


def _post(**values):
    base = {
        "doc-type": "Kế hoạch",
        "doc-title": "Bảo vệ trẻ em",
        "doc-date": "20/02/2013",
        "targets-0-number": "1",
        "targets-0-text": "Giảm tỷ lệ trẻ em bị xâm hại xuống dưới 0,01% vào năm 2025.",
        "targets-0-components-0-indicator": "tỷ lệ trẻ em bị xâm hại",
        "targets-0-components-0-indicator_code": "",
        "targets-0-components-0-comparator": "lt",
        "targets-0-components-0-value": "0,01",
        "targets-0-components-0-unit": "%",
        "targets-0-components-0-year": "2025",
        "assignments-0-agency": "Phòng Giáo dục và Đào tạo",
        "assignments-0-role": "lead",
        "assignments-0-targets": "1",
        "reporting-0-frequency": "semiannual",
        "reporting-0-deadline": "15/5",
        "tasks-0-number": "1",
        "tasks-0-title": "Tuyên truyền",
    }
    base.update(values)
    post = QueryDict(mutable=True)
    post.update(base)
    return post


def test_read_post_gives_the_issue_shape_with_vietnamese_numbers_and_dates():
    data, errors = read_post(_post(), {"objectives": [{"number": "1"}]}, set())
    assert not errors
    assert data["document"]["date"] == "2013-02-20" and data["document"]["title"] == "Bảo vệ trẻ em"
    comp = data["targets"][0]["components"][0]
    assert (comp["comparator"], comp["value"], comp["unit"], comp["year"]) == ("lt", 0.01, "%", 2025)
    assert data["assignments"][0]["targets"] == ["1"]
    assert data["reporting"][0]["deadline"] == "15/05"
    assert data["objectives"] == [{"number": "1"}]


def test_read_post_names_each_wrong_field():
    _data, errors = read_post(
        _post(
            **{
                "targets-0-components-0-value": "",
                "targets-0-components-0-indicator_code": "NOPE",
                "targets-0-components-0-comparator": "about",
                "doc-period_start": "2030",
                "doc-period_end": "2025",
                "doc-title": "",
                "tasks-0-title": "",
                "assignments-0-role": "",
            }
        ),
        {},
        {"KNOWN"},
    )
    messages = dict(errors.summary)
    assert (
        messages["targets-0-components-0-value"]
        == "Chỉ tiêu 1 › thành phần 1 › Giá trị: không được để trống."
    )
    assert messages["targets-0-components-0-indicator_code"].endswith(
        "“NOPE” không có trong danh mục chỉ số."
    )
    assert messages["targets-0-components-0-comparator"].endswith("“about” không phải là lựa chọn hợp lệ.")
    assert (
        messages["doc-period_end"] == "Thông tin văn bản › Đến năm: năm kết thúc 2025 trước năm bắt đầu 2030."
    )
    assert messages["doc-title"] == "Thông tin văn bản › Trích yếu: không được để trống."
    assert messages["tasks-0-title"] == "Nhiệm vụ 1 › Nhiệm vụ, giải pháp: không được để trống."
    assert (
        messages["assignments-0-role"]
        == "Phân công 1 (Phòng Giáo dục và Đào tạo) › Vai trò: hãy chọn một giá trị."
    )
    assert errors["doc-title"] == "không được để trống."


def test_a_maintain_component_may_have_no_value_and_a_rate_may_not_exceed_100():
    _data, errors = read_post(
        _post(**{"targets-0-components-0-comparator": "maintain", "targets-0-components-0-value": ""}),
        {},
        set(),
    )
    assert not errors
    _data, errors = read_post(
        _post(**{"targets-0-components-0-comparator": "ge", "targets-0-components-0-value": "120"}), {}, set()
    )
    assert "lớn hơn 100%" in errors["targets-0-components-0-value"]


def test_prepare_and_form_rows_round_trip():
    extraction = {
        "document": {
            "type": "Công văn",
            "number": "5/UBND",
            "date": "2024-01-02",
            "issuer": "UBND huyện Văn Quan",
            "title": "V/v trẻ em",
            "period": [2021, 2025],
            "implements_detail": [{"number": "1/KH", "date": None, "span": [0, 3]}],
            "spans": {"title": [0, 3]},
            "confidence": {"issuer": 0.5},
        },
        "targets": [
            {
                "number": None,
                "group": "G",
                "text": "T",
                "span": [0, 1],
                "confidence": 0.6,
                "components": [
                    {
                        "indicator": "i",
                        "comparator": "ge",
                        "value": 1000,
                        "unit": "count",
                        "year": None,
                        "span": [0, 1],
                        "confidence": 0.6,
                    }
                ],
            }
        ],
        "assignments": [{"agency": "Phòng Y tế", "role": "lead", "targets": []}],
    }
    data = prepare(extraction)
    assert (
        data["document"]["type"] == "Văn bản khác" and data["document"]["issuer_kind"] == "people_committee"
    )
    assert data["assignments"][0]["sector"] == "health"
    rows = form_rows(data)
    assert rows["meta"]["date"].value == "02/01/2024" and rows["meta"]["issuer"].low
    assert rows["meta"]["title"].ref == "doc-title" and rows["meta"]["period_end"].value == "2025"
    target = rows["targets"][0]
    assert target.low and target.f["number"].value == "" and target.span == "0,1"
    assert target.children[0].f["value"].value == "1.000" and target.children[0].ref == "t0c0"
    blank = blank_rows()
    assert (
        blank["targets"].prefix == "targets-__T__"
        and blank["component"].prefix == "targets-__T__-components-__C__"
    )
