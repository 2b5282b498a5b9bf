"""Each extraction and clean-up rule on its own (no database)."""

import unicodedata
from decimal import Decimal

import pytest

from treem.documents.agencies import agency_key, split_agencies
from treem.documents.assignments import expand_targets
from treem.documents.cleanup import clean_text
from treem.documents.components import parse_components
from treem.documents.extract import extract_plan
from treem.documents.indicators import default_matcher
from treem.documents.reporting import extract_reporting
from treem.documents.structure import paragraphs


def comps(text):
    """(comparator, value, unit, year, qualifier) of each component of a target text."""
    m = default_matcher()
    out = parse_components(
        text, direction_of=lambda w, u=None: m.direction(w, u), maintain_comparator="maintain"
    )
    return [(c.comparator, c.value, c.unit, c.year, c.qualifier) for c in out]


def one(text):
    result = comps(text)
    assert len(result) == 1, result
    return result[0]


# ---------------------------------------------------------------- comparators


@pytest.mark.parametrize(
    "text, comparator",
    [
        ("giảm tỷ lệ trẻ em bị xâm hại xuống dưới 0,01% vào năm 2025", "lt"),
        ("tỷ lệ trẻ em bỏ học dưới 2% vào năm 2025", "lt"),
        ("giảm tỷ suất trẻ em bị tai nạn, thương tích xuống 450/100.000 trẻ em", "le"),
        ("tỷ lệ suy dinh dưỡng thể thấp còi xuống còn 15%", "le"),
        ("tỷ lệ trẻ em có hoàn cảnh đặc biệt còn 1,5%", "le"),
        ("tỷ lệ trẻ em bị xâm hại không quá 0,5‰", "le"),
        ("tỷ lệ trẻ em 5 tuổi đi học mẫu giáo đạt 99%", "ge"),
        ("phấn đấu 95% trẻ em được nâng cao nhận thức về quyền tham gia", "ge"),
        ("tỷ lệ đi học đúng độ tuổi ở bậc tiểu học là 99%", "ge"),
        ("tỷ lệ suy dinh dưỡng thể nhẹ cân là 10%", "le"),  # "là" on a lower-is-better rate
        ("tỷ lệ trẻ em dưới 1 tuổi được tiêm chủng đầy đủ đạt trên 99%", "gt"),
        ("tỷ lệ trẻ em hoàn thành cấp trung học cơ sở đạt 99% trở lên", "ge"),
        ("tỷ lệ trẻ em dưới 5 tuổi suy dinh dưỡng thể thấp còi từ 20% trở xuống", "le"),
        ("duy trì 100% trẻ em dưới 5 tuổi được đăng ký khai sinh", "maintain"),
        ("tỷ lệ trẻ em 5 tuổi đi học mẫu giáo duy trì ở mức 99%", "maintain"),
        ("duy trì tỷ lệ huy động trẻ em 5 tuổi đi học mẫu giáo đạt 99,9%", "ge"),  # "đạt" governs the value
        ("số trẻ em bị bạo lực giảm 20% vào năm 2025", "reduce_by"),
        ("tăng thêm 10% số trẻ em được tham gia diễn đàn", "increase_by"),
        ("tăng tỷ lệ xã, phường phù hợp với trẻ em lên 95%", "ge"),
        ("có ít nhất 30% trẻ em trong độ tuổi nhà trẻ được chăm sóc", "ge"),
        ("tỷ lệ trẻ em 5 tuổi đi học mẫu giáo đạt tối thiểu 99,5%", "ge"),
        ("tỷ lệ trẻ em dưới 5 tuổi suy dinh dưỡng thể nhẹ cân < 10%", "lt"),
        ("tỷ suất trẻ em bị tai nạn, thương tích ≤ 500/100.000 trẻ em", "le"),
        ("tỷ lệ trẻ em được tiêm chủng ≥ 95%", "ge"),
        ("100% xã, phường đạt tiêu chuẩn phù hợp với trẻ em", "ge"),  # bare value, higher is better
    ],
)
def test_comparators(text, comparator):
    assert one(text)[0] == comparator


def test_false_friends_are_not_comparators():
    # "trao tặng" is not "tăng" (both fold to "tang")
    assert one("trao tặng 1.200 suất quà cho trẻ em có hoàn cảnh đặc biệt")[0] == "ge"
    # "mẹ sang con" is not "còn"
    assert one("giảm tỷ lệ lây truyền HIV từ mẹ sang con xuống dưới 2%")[0] == "lt"


# ---------------------------------------------------------------- units and values


@pytest.mark.parametrize(
    "text, value, unit",
    [
        ("giảm tỷ lệ trẻ em bị xâm hại xuống dưới 0,01%", Decimal("0.01"), "%"),
        ("duy trì tỷ lệ đạt 99,9%", Decimal("99.9"), "%"),
        ("giảm tỷ lệ trẻ em bị xâm hại xuống dưới 6‰", Decimal("6"), "‰"),
        (
            "giảm tỷ suất trẻ em bị tai nạn thương tích xuống 450/100.000 trẻ em",
            Decimal("450"),
            "per_100000_children",
        ),
        (
            "giảm tỷ suất tử vong trẻ sơ sinh trên 1.000 trẻ đẻ sống dưới 9,5 trẻ em",
            Decimal("9.5"),
            "per_1000_live_births",
        ),
        (
            "giảm tỷ suất tử vong trẻ sơ sinh trên 1.000 trẻ đẻ sống (p/1000) dưới 1",
            Decimal("1"),
            "per_1000_live_births",
        ),
        (
            "tỷ suất tử vong trẻ em dưới 5 tuổi giảm xuống còn 20 trên 1.000 trẻ đẻ sống",
            Decimal("20"),
            "per_1000_live_births",
        ),
        ("xây dựng 70.000 ngôi nhà an toàn cho trẻ em", Decimal("70000"), "count"),
        ("xây dựng mới 3 điểm vui chơi dành cho trẻ em", Decimal("3"), "count"),
    ],
)
def test_units_and_values(text, value, unit):
    c = one(text)
    assert (c[1], c[2]) == (value, unit)


def test_ages_years_classes_and_denominators_are_not_values():
    assert comps("tỷ lệ trẻ em từ 7 tuổi trở lên được hỏi ý kiến") == []
    assert comps("trẻ em 6 tuổi vào lớp 1 theo Chỉ thị số 20-CT/TW ngày 05/11/2012") == []
    assert comps("tiêm đủ 8 loại vắc xin, tổng đài số 111, giai đoạn 2021 - 2025") == []
    assert len(comps("tỷ lệ lao động trẻ em từ 5 đến 17 tuổi dưới 5‰")) == 1


def test_number_split_across_lines_is_rejoined():
    text = clean_text("- Xây dựng 70.0\n\n00 ngôi nhà an toàn cho trẻ em.").text
    assert "70.000 ngôi nhà" in text
    assert one(text.lstrip("- "))[1:3] == (Decimal("70000"), "count")


# ---------------------------------------------------------------- carry-over, ranges, years, qualifiers


def test_comparator_carries_over_to_the_second_milestone():
    assert comps("dưới 9% vào năm 2025 và 6% vào năm 2030") == [
        ("lt", Decimal("9"), "%", 2025, None),
        ("lt", Decimal("6"), "%", 2030, None),
    ]


def test_ranges_take_the_lower_bound():
    assert one("tỷ lệ xã có điểm vui chơi cho trẻ em đạt 5-10%")[1] == Decimal("5")
    assert one("tỷ lệ xã có điểm vui chơi cho trẻ em đạt từ 60% đến 70%")[1] == Decimal("60")
    assert one("tỷ lệ xã có điểm vui chơi cho trẻ em từ 2 đến 3%")[1] == Decimal("2")


def test_yearly_target_has_no_year_and_a_qualifier():
    assert one("hằng năm giảm 2-3% số cuộc tảo hôn") == ("reduce_by", Decimal("2"), "%", None, "hằng năm")


def test_target_without_year_has_year_null():
    assert one("phấn đấu 100% trẻ em gặp thiên tai, thảm họa được cứu trợ")[3] is None


def test_leading_year_applies_to_the_clause():
    assert [
        c[3]
        for c in comps(
            "Đến năm 2020, tỷ lệ đi học đúng độ tuổi ở bậc tiểu học là 99% và ở bậc trung học cơ sở là 95%"
        )
    ] == [2020, 2020]


def test_years_after_several_values_apply_to_each():
    result = comps("dưới 5% đối với nông thôn và dưới 10% đối với thành thị vào năm 2025 và năm 2030")
    assert [(c[1], c[3], c[4]) for c in result] == [
        (Decimal("5"), 2025, "nông thôn"),
        (Decimal("5"), 2030, "nông thôn"),
        (Decimal("10"), 2025, "thành thị"),
        (Decimal("10"), 2030, "thành thị"),
    ]


def test_maintained_until_a_later_year():
    assert comps("giảm tỷ lệ trẻ em bị xâm hại xuống dưới 0,01% vào năm 2025 và duy trì đến năm 2030") == [
        ("lt", Decimal("0.01"), "%", 2025, None),
        ("maintain", Decimal("0.01"), "%", 2030, None),
    ]


def test_period_from_to_gives_both_milestones_and_no_means_zero():
    result = comps(
        "duy trì không có lao động trẻ em và người chưa thành niên từ 5 đến 17 tuổi giai đoạn từ năm 2025 đến năm 2030"
    )
    assert result == [
        ("maintain", Decimal("0"), "%", 2025, None),
        ("maintain", Decimal("0"), "%", 2030, None),
    ]


def test_baseline_year_is_not_a_milestone():
    assert one("số trẻ em bị xâm hại giảm 10% so với năm 2021")[3] is None


def test_rieng_is_a_qualifier_of_the_same_indicator():
    m = default_matcher()
    out = parse_components(
        "Tỷ lệ trẻ em khuyết tật được tiếp cận giáo dục hòa nhập đạt 100% (riêng trẻ em dưới 5 tuổi đạt 0%)",
        direction_of=lambda w, u=None: m.direction(w, u),
    )
    assert [c.indicator for c in out][0] == out[1].indicator
    assert out[1].qualifier == "dưới 5 tuổi"


def test_indicator_wording_and_value_first():
    m = default_matcher()
    out = parse_components("Duy trì 100% trạm y tế xã có nữ hộ sinh hoặc y sỹ sản nhi đến năm 2020.")
    assert out[0].indicator == "trạm y tế xã có nữ hộ sinh hoặc y sỹ sản nhi"
    assert m.match(out[0].indicator).code == "YT_TYT_CO_NHS"
    out = parse_components(
        "có ít nhất 30% trẻ em trong độ tuổi nhà trẻ và 85% trẻ em trong độ tuổi mẫu giáo được chăm sóc"
    )
    assert [m.match(c.indicator).code for c in out] == ["GD_NHA_TRE", "GD_MAU_GIAO"]


# ---------------------------------------------------------------- indicator matching


@pytest.mark.parametrize(
    "wording, code",
    [
        ("tỷ lệ suy dinh dưỡng thể thấp còi", "YT_SDD_THAP_COI"),
        ("tỷ lệ trẻ em dưới 5 tuổi bị suy dinh dưỡng thể chiều cao theo tuổi", "YT_SDD_THAP_COI"),
        ("tỷ lệ trẻ em dưới 5 tuổi bị suy dinh dưỡng thể cân nặng theo tuổi", "YT_SDD_NHE_CAN"),
        ("tỷ suất tử vong trẻ em dưới 1 tuổi trên 1.000 trẻ em để sống", "YT_TV_DUOI_1"),
        ("số trẻ em bị xâm hại", "BV_SO_XAM_HAI"),
        ("tỷ lệ trẻ em bị xâm hại", "BV_XAM_HAI"),
        ("số ngôi nhà an toàn được xây dựng", None),
    ],
)
def test_indicator_matching(wording, code):
    assert default_matcher().match(wording).code == code


def test_count_and_subject_mismatches_do_not_match():
    m = default_matcher()
    assert m.match("số điểm vui chơi dành cho trẻ em", "count").code is None
    assert (
        m.match("trường học đạt tiêu chuẩn trường học an toàn, phòng chống tai nạn, thương tích").code is None
    )


# ---------------------------------------------------------------- clean-up


def test_split_words_and_document_numbers_are_rejoined():
    text = clean_text(
        "3- Căn cứ yêu cầu của Chỉ thị 20-\n\nCT/TW, cần nghiên cứu để điều chỉnh cơ chế, chính sách\n\ncho phù hợp."
    ).text
    assert (
        text
        == "3- Căn cứ yêu cầu của Chỉ thị 20-CT/TW, cần nghiên cứu để điều chỉnh cơ chế, chính sách cho phù hợp."
    )


def test_value_split_from_its_unit_words_is_rejoined():
    text = clean_text("- Chỉ tiêu 3: giảm tỷ suất tử vong trẻ sơ sinh dưới 9,5\n\ntrẻ em vào năm 2025.").text
    assert "dưới 9,5 trẻ em vào năm 2025" in text


def test_page_headers_and_lone_page_numbers_are_removed():
    raw = "dòng một của văn bản dài dòng một của văn bản dài\n\nHIEU-126b\n\n2\n\ntiếp tục văn bản\n\nHIEU-126b\n\n4\n\nkết thúc."
    cleaned = clean_text(raw)
    assert "HIEU-126b" not in cleaned.text and "\n2\n" not in cleaned.text
    assert cleaned.removed.count("HIEU-126b") == 2


def test_pdf_page_furniture_is_removed_page_by_page():
    pages = [f"UBND TỈNH X\nNội dung trang {i} của kế hoạch.\nTrang {i}" for i in range(1, 5)]
    cleaned = clean_text("\f".join(pages))
    assert "UBND TỈNH X" not in cleaned.text and "Trang 3" not in cleaned.text
    assert "Nội dung trang 3 của kế hoạch." in cleaned.text


def test_nfd_and_glyph_artefacts():
    raw = unicodedata.normalize("NFD", "Phòng Tư pháp") + " và dinh dƣỡng, Ƣu tiên"
    text = clean_text(raw).text
    assert text == "Phòng Tư pháp và dinh dưỡng, Ưu tiên"
    assert unicodedata.is_normalized("NFC", text)


def test_markdown_emphasis_and_headings_are_removed_and_bold_kept_as_spans():
    cleaned = clean_text(
        "## **I. MỤC TIÊU**\n\n**1. Sở Y tế** chủ trì *thực hiện* chỉ tiêu 1.\n\n***2.1. Nhóm***"
    )
    assert cleaned.text.split("\n") == [
        "I. MỤC TIÊU",
        "1. Sở Y tế chủ trì thực hiện chỉ tiêu 1.",
        "2.1. Nhóm",
    ]
    spans = [cleaned.text[a:b] for a, b in cleaned.bold]
    assert "1. Sở Y tế" in spans


def test_letterhead_columns_are_split():
    text = clean_text(
        " TỈNH ỦY KHÁNH HÒA   ĐẢNG CỘNG SẢN VIỆT NAM \n\n *      Nha Trang, ngày 20 tháng 02 năm 2013 \n\n Số 48 -KH/TU \n"
    ).text
    assert text.split("\n") == [
        "TỈNH ỦY KHÁNH HÒA",
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "*",
        "Nha Trang, ngày 20 tháng 02 năm 2013",
        "Số 48 -KH/TU",
    ]


def test_numbering_styles_are_recognised():
    cleaned = clean_text("1. Một\n1- Hai\na) Ba\nII- Bốn\n2.1. Năm\nChỉ tiêu 9: Sáu\n+ Bảy\n• Tám\n(3) Chín")
    kinds = [(p.kind, p.label) for p in paragraphs(cleaned)]
    assert kinds == [
        ("number", "1"),
        ("number", "1"),
        ("letter", "a"),
        ("roman", "II"),
        ("multi", "2.1"),
        ("label", "9"),
        ("bullet", None),
        ("bullet", None),
        ("number", "3"),
    ]


# ---------------------------------------------------------------- assignments and reporting


def test_target_lists_are_expanded():
    assert expand_targets("1, 2, 8, 9") == ["1", "2", "8", "9"]
    assert expand_targets("2,3,4,9") == ["2", "3", "4", "9"]
    assert expand_targets("1-3") == ["1", "2", "3"]
    assert expand_targets("7 và 12") == ["7", "12"]


def test_agency_names_are_normalised_and_split():
    assert agency_key("UBND các xã, thị trấn") == agency_key("Ủy ban nhân dân cấp xã")
    assert agency_key("Đề nghị Hội Liên hiệp Phụ nữ huyện") == agency_key("Hội Liên hiệp Phụ nữ huyện")
    assert agency_key("Sở LĐ-TB&XH") == agency_key("Sở Lao động - Thương binh và Xã hội")
    assert split_agencies("Phòng Y tế, Trung tâm Y tế Hương Trà") == [
        "Phòng Y tế",
        "Trung tâm Y tế Hương Trà",
    ]
    assert split_agencies("Phòng Lao động, Thương binh, Xã hội - Dân tộc") == [
        "Phòng Lao động, Thương binh, Xã hội - Dân tộc"
    ]


def test_assignment_roles_and_guided_agencies():
    text = (
        "II. MỤC TIÊU\n- Chỉ tiêu 1: Tỷ lệ tảo hôn dưới 2%.\n- Chỉ tiêu 2: Tỷ lệ trẻ em được đăng ký khai sinh đúng hạn đạt 100%.\n"
        "III. TỔ CHỨC THỰC HIỆN\n1. Phòng Tư pháp\n- Chỉ đạo, hướng dẫn UBND cấp xã thực hiện chỉ tiêu 2 của Kế hoạch.\n"
        "2. Phòng Văn hóa\n- Phối hợp với Phòng Tư pháp thực hiện chỉ tiêu 1.\n3. UBND các xã, thị trấn\n- Tổ chức thực hiện Kế hoạch.\n"
    )
    rows = {(r["agency"], r["role"]): r["targets"] for r in extract_plan(text)["assignments"]}
    assert rows[("Phòng Tư pháp", "guide")] == ["2"]
    assert rows[("UBND các xã, thị trấn", "lead")] == ["2"]
    assert rows[("Phòng Văn hóa", "coordinate")] == ["1"]


@pytest.mark.parametrize(
    "sentence, expected",
    [
        (
            "báo cáo kết quả thực hiện 6 tháng, trước ngày 15/5 và báo cáo năm trước ngày 15/11",
            [("semiannual", "15/05"), ("annual", "15/11")],
        ),
        ("định kỳ hằng năm (trước ngày 30/11) báo cáo Ủy ban nhân dân thị xã", [("annual", "30/11")]),
        ("định kỳ hàng năm báo cáo kết quả cho Ban Thường vụ Tỉnh uỷ", [("annual", None)]),
        (
            "báo cáo định kỳ hằng quý (trước ngày 20/3, 20/6, 20/9, 20/12)",
            [("quarterly", "20/03"), ("quarterly", "20/06"), ("quarterly", "20/09"), ("quarterly", "20/12")],
        ),
        ("báo cáo kết quả hằng tháng trước ngày 25 tháng 12", [("monthly", "25/12")]),
        ("báo cáo kết quả về UBND huyện trước ngày 10/7/2024", [("once", "10/07/2024")]),
        ("định kỳ báo cáo cho Ban Thường vụ Tỉnh ủy", []),  # no period, no deadline: not recorded
        ("báo cáo kết quả thực hiện theo quy định", []),
        ("chủ động xây dựng Kế hoạch triển khai thực hiện trước ngày 15/7/2021", []),  # not a report
    ],
)
def test_reporting(sentence, expected):
    paras = paragraphs(clean_text(sentence + "."))
    got = [(r["frequency"], r["deadline"]) for r in extract_reporting(paras)]
    assert got == expected
