"""Reading an uploaded table (portal/core/spreadsheets.py): a formula counts as the result saved with it; one saved
without its result (by a program that cannot compute formulas) is refused, naming its row and column."""
import io

import pytest
from openpyxl import Workbook

from portal.core.spreadsheets import UnreadableTable, read_numbered_table, read_table
from tests.helpers import with_part

ADVICE = "请用 Excel 或 WPS 打开这个文件，保存后重新上传。"


def xlsx_of(sheet_data: str) -> bytes:
    """An .xlsx whose first sheet holds the rows ``sheet_data`` (the XML inside <sheetData>)."""
    out = io.BytesIO()
    Workbook().save(out)
    xml = ('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
           f"<sheetData>{sheet_data}</sheetData></worksheet>")
    return with_part(out.getvalue(), "xl/worksheets/sheet1.xml", xml.encode("utf-8"))


def test_formulas_read_as_their_saved_results_an_empty_text_result_included():
    data = xlsx_of('<row r="1"><c r="A1" t="inlineStr"><is><t>名称</t></is></c><c r="B1"><f>1+1</f><v>2</v></c>'
                   '<c r="C1" t="str"><f>IF(TRUE,"","x")</f><v></v></c><c r="D1" t="str"><f>"甲"</f><v>甲</v></c></row>')
    assert read_numbered_table(data) == [(1, ["名称", "2", "", "甲"])]


def test_every_formula_without_its_result_is_named_by_row_and_column():
    data = xlsx_of('<row><c t="inlineStr"><is><t>a</t></is></c><c><f>1+1</f><v/></c></row>'  # no numbers: row 1, B
                   '<row r="4"><c r="AB4"><f t="shared" ref="AB4:AB5" si="0">A1</f><v></v></c></row>'
                   '<row><c r="AB5"><f t="shared" si="0"/></c><c t="str"><f>"x"</f><v>x</v></c></row>')
    with pytest.raises(UnreadableTable) as refused:
        read_numbered_table(data)
    assert refused.value.messages == ["第1行：B列是公式，但文件里没有保存公式算出的结果。",
                                      "第4行：AB列是公式，但文件里没有保存公式算出的结果。",
                                      "第5行：AB列是公式，但文件里没有保存公式算出的结果。", ADVICE]
    assert refused.value.message == refused.value.messages[0]


def test_a_csv_cell_starting_with_an_equals_sign_is_text():
    assert read_table("名称,说明\n甲,=1+1\n".encode()) == [["名称", "说明"], ["甲", "=1+1"]]


def test_a_sheet_declaring_a_million_rows_and_columns_is_read_only_as_far_as_asked():
    """A 600 kB sheet had been read as 4.28 million rows (its dimension, and rows numbered far down, declare them
    all; openpyxl fills each in): only the rows asked for are read, and a row past them refuses the file."""
    out = io.BytesIO()
    Workbook().save(out)
    xml = ('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
           '<dimension ref="A1:XFD1048576"/><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>名称</t></is></c>'
           '</row><row r="1048576"><c r="A1048576" t="inlineStr"><is><t>末行</t></is></c></row></sheetData></worksheet>')
    data = with_part(out.getvalue(), "xl/worksheets/sheet1.xml", xml.encode())
    with pytest.raises(UnreadableTable) as refused:
        read_numbered_table(data, max_rows=300)
    assert refused.value.too_long and refused.value.message == "表格超过 300 行，请分开上传。"


@pytest.mark.parametrize("kind", ["csv", "xlsx", "docx"])
def test_a_table_longer_than_asked_is_refused_and_trailing_blank_rows_are_not(kind):
    from tests.helpers import xlsx_of as workbook_of
    from tests.office.test_import_comments import word_form

    def table(count: int, blank: int = 0) -> bytes:
        rows = [["意见内容"]] + [[f"第{n}条意见"] for n in range(count)] + [[""]] * blank
        if kind == "csv":
            return "\n".join(row[0] for row in rows).encode()
        if kind == "xlsx":
            return workbook_of({"S": rows})
        return word_form([], rows[0], rows[1:])

    assert len(read_table(table(299, blank=10), max_rows=300)) == 300  # the blank rows after them are no rows
    with pytest.raises(UnreadableTable) as refused:
        read_table(table(300), max_rows=300)
    assert refused.value.too_long and "表格超过 300 行" in refused.value.message
