"""Build messy_commune_list.xlsx: a commune list with every defect TreEm's import must handle.

Run: .venv/bin/python tests/registry/data/make_messy_list.py  (the .xlsx is committed; the test reads it).
Each data row's comment says which defect it carries and what the import must do.
"""

import datetime
import unicodedata
from pathlib import Path

from openpyxl import Workbook

OUT = Path(__file__).with_name("messy_commune_list.xlsx")
NFD = unicodedata.normalize("NFD", "Hoàng Văn Cường")

# (name, Nam column, Nữ column, dân tộc, số định danh, xã, thôn, cha, mẹ, đã khai sinh, ngày ĐKKS, HCĐB)
ROWS = [
    (
        "Nguyễn Văn An",
        "05/03/2019",
        None,
        "Tày",
        "020219001234",
        "Xã Văn Quan",
        "Bản Ranh",
        "Nguyễn Văn Ba",
        "Lý Thị Ca",
        "x",
        "20/03/2019",
        None,
    ),  # 7 clean
    (
        "NGUYỄN  thị   bình",
        None,
        "2019",
        "kinh",
        None,
        "xã văn quan",
        "Nà Thâm",
        None,
        None,
        None,
        None,
        None,
    ),  # 8 casing, spaces, year only
    (
        NFD,
        "12/12/2018",
        None,
        "Nùng",
        None,
        "Xã Văn Quan",
        None,
        None,
        None,
        None,
        None,
        None,
    ),  # 9 decomposed Unicode
    (
        "Lương Văn Dũng",
        "05-03-19",
        None,
        "Tày",
        None,
        "Xã Văn Quan",
        None,
        None,
        None,
        None,
        None,
        None,
    ),  # 10 two-digit year
    (
        "Lộc Thị Én",
        None,
        "04/07/2018",
        "Tày",
        None,
        "Xã Văn Quan",
        None,
        None,
        None,
        None,
        None,
        None,
    ),  # 11 ambiguous day/month
    (
        "Hà Văn Giang",
        "31/02/2019",
        None,
        "Tày",
        None,
        "Xã Văn Quan",
        None,
        None,
        None,
        None,
        None,
        None,
    ),  # 12 invalid date
    (
        "Vi Văn Hải",
        "01/01/2031",
        None,
        "Tày",
        None,
        "Xã Văn Quan",
        None,
        None,
        None,
        None,
        None,
        None,
    ),  # 13 future date
    (
        "Chu Thị Hoa",
        None,
        datetime.datetime(2020, 8, 15),
        "Nùng",
        None,
        "Xã Văn Quan",
        None,
        None,
        None,
        None,
        None,
        None,
    ),  # 14 Excel date cell
    (
        "Đàm Văn Khải",
        43529,
        None,
        "Tày",
        None,
        "Xã Văn Quan",
        None,
        None,
        None,
        None,
        None,
        None,
    ),  # 15 Excel serial day number
    (
        "Hoàng Văn Long",
        "06/03/2019",
        None,
        "Tày",
        20219001235,
        "Xã Văn Quan",
        None,
        None,
        None,
        None,
        None,
        None,
    ),  # 16 ID lost its leading 0
    (
        "Hoàng Văn Minh",
        "07/03/2019",
        None,
        "Tày",
        "0202190012",
        "Xã Văn Quan",
        None,
        None,
        None,
        None,
        None,
        None,
    ),  # 17 ID too short
    (
        "Hoàng Thị Nga",
        None,
        "08/03/2019",
        "Tày",
        "020219001236",
        "Xã Văn Quan",
        None,
        None,
        None,
        None,
        None,
        None,
    ),  # 18 ID sex digit wrong
    (
        "Hoàng Văn Oanh",
        "09/03/2019",
        None,
        "Tày",
        "020218001237",
        "Xã Văn Quan",
        None,
        None,
        None,
        None,
        None,
        None,
    ),  # 19 ID year wrong
    (
        "Hoàng Văn Phúc",
        "10/03/2019",
        None,
        "Tày",
        "2.02219E+11",
        "Xã Văn Quan",
        None,
        None,
        None,
        None,
        None,
        None,
    ),  # 20 ID mangled by Excel
    (
        "Nông Văn Quý",
        "25/12/2018",
        None,
        "Tày",
        None,
        "Xã Tú Xuyên",
        "Bản Nầng",
        None,
        None,
        None,
        None,
        None,
    ),  # 21 old commune name
    (
        "Nông Thị Quyên",
        None,
        "26/12/2018",
        "Tày",
        None,
        "TT Văn Quan",
        None,
        None,
        None,
        None,
        None,
        None,
    ),  # 22 old township, abbreviated
    (
        "Nông Văn Sơn",
        "27/12/2018",
        None,
        "Tày",
        None,
        "Xã Không Có",
        None,
        None,
        None,
        None,
        None,
        None,
    ),  # 23 unknown commune
    (
        "Nông Văn Tài",
        "28/12/2018",
        None,
        "Tày",
        None,
        "Xã Điềm He",
        None,
        None,
        None,
        None,
        None,
        None,
    ),  # 24 commune outside the list's area
    (
        "Nông Văn Tú",
        "29/12/2018",
        None,
        "H'Mông",
        None,
        "xa van quan",
        None,
        None,
        None,
        None,
        None,
        None,
    ),  # 25 unaccented commune, H'Mông
    (
        "Nông Văn Út",
        "30/12/2018",
        None,
        "Dân tộc X",
        None,
        "Xã Văn Quan",
        None,
        None,
        None,
        None,
        None,
        None,
    ),  # 26 unknown ethnic group
    (
        "Lý Văn Vũ",
        "01/11/2018",
        "01/11/2018",
        "Tày",
        None,
        "Xã Văn Quan",
        None,
        None,
        None,
        None,
        None,
        None,
    ),  # 27 both sexes marked
    (
        "Lý Văn Xuân",
        None,
        None,
        "Tày",
        None,
        "Xã Văn Quan",
        None,
        None,
        None,
        None,
        None,
        None,
    ),  # 28 no sex, no birth date
    (
        "nguyễn văn an",
        "05/03/2019",
        None,
        "Tày",
        None,
        "Xã Văn Quan",
        None,
        None,
        None,
        None,
        None,
        None,
    ),  # 29 duplicate of row 7
    (
        "Nguyễn Văn Ân",
        "05/03/2019",
        None,
        "Tày",
        "020219001234",
        "Xã Văn Quan",
        None,
        None,
        None,
        None,
        None,
        None,
    ),  # 30 same ID as row 7
    (
        "Lò Văn 3",
        "02/11/2018",
        None,
        "Thái",
        None,
        "Xã Văn Quan",
        None,
        None,
        None,
        None,
        None,
        None,
    ),  # 31 digits in name
    (None, None, None, None, None, None, None, None, None, None, None, None),  # 32 empty row
    (
        "NguyÔn V¨n Hïng",
        "03/11/2018",
        None,
        "Kinh",
        None,
        "Xã Văn Quan",
        None,
        None,
        None,
        None,
        None,
        None,
    ),  # 33 TCVN3 legacy font
    (
        "Triệu Văn Yên",
        "04/11/2005",
        None,
        "Dao",
        None,
        "Xã Văn Quan",
        None,
        None,
        None,
        None,
        None,
        None,
    ),  # 34 over 16
    (
        "Triệu Thị Ánh",
        None,
        "05/11/2018",
        "Dao",
        None,
        "Xã Văn Quan",
        None,
        None,
        None,
        "x",
        "01/11/2018",
        None,
    ),  # 35 registered before birth
    (
        "Triệu Văn Bảo",
        "06/11/2018",
        None,
        "Dao",
        None,
        "Xã Văn Quan",
        None,
        None,
        None,
        "x",
        None,
        None,
    ),  # 36 registered, no date
    (
        "Triệu Thị Cúc",
        None,
        "07/11/2018",
        "Dao",
        None,
        "Xã Văn Quan",
        None,
        None,
        None,
        None,
        None,
        "mồ côi cả cha và mẹ",
    ),  # 37 circumstance a
    (
        "Triệu Văn Đức",
        "08/11/2018",
        None,
        "Dao",
        None,
        "Xã Văn Quan",
        None,
        None,
        None,
        None,
        None,
        "nghèo",
    ),  # 38 unknown circumstance
    (
        "Bế Thị Gấm",
        None,
        "15/06/2017",
        "Tày",
        None,
        "Xã Văn Quan",
        "Bản Ranh",
        None,
        None,
        "x",
        "20/09/2017",
        "b",
    ),  # 39 late registration, group b
]


def build(path: Path = OUT) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "DS tre em"
    ws.append(["UỶ BAN NHÂN DÂN XÃ VĂN QUAN"])
    ws.append(["DANH SÁCH TRẺ EM DƯỚI 16 TUỔI NĂM 2025"])
    ws.append([])
    ws.append(
        [
            "STT",
            "Họ và tên",
            "Năm sinh",
            None,
            "Dân tộc",
            "Số định danh",
            "Xã",
            "Thôn",
            "Họ tên cha",
            "Họ tên mẹ",
            "Đã khai sinh",
            "Ngày đăng ký khai sinh",
            "Hoàn cảnh đặc biệt",
            "Ghi chú",
        ]
    )
    ws.append([None, None, "Nam", "Nữ", None, None, None, None, None, None, None, None, None, None])
    ws.merge_cells("C4:D4")
    ws.append([f"({i})" for i in range(1, 15)])
    for i, r in enumerate(ROWS, start=1):
        ws.append([i, *r, None])
    ws.append([None, "Tổng cộng: 33 trẻ"])
    ws.append([])
    ws.append([None, "Người lập biểu", None, None, None, None, None, None, "TM. UBND XÃ"])
    ws.append([None, "Hoàng Thị Lập", None, None, None, None, None, None, "Chủ tịch"])
    wb.save(path)
    return path


if __name__ == "__main__":
    print(build())
