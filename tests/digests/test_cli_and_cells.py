"""``flask digests build`` writes the same files; the cell rules (formulas, sheet names, widths)."""
import csv

import openpyxl
from sqlalchemy import select

from portal.audit.models import AuditEntry
from portal.digests.rows import display_width, neutralise_formula, safe_sheet_title
from portal.extensions import db


def test_build_command_writes_each_format(app, tmp_path, office_consultation):
    consultation, _ = office_consultation
    runner = app.test_cli_runner()
    out = tmp_path / "digest.xlsx"
    result = runner.invoke(args=["digests", "build", str(consultation.id), "--format", "xlsx", "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert "已写入中期汇总" in result.output and "4 条意见" in result.output
    book = openpyxl.load_workbook(out)
    assert book.sheetnames[0] == "汇总" and len(book.sheetnames) == 6

    csv_out = tmp_path / "digest.csv"
    result = runner.invoke(args=["digests", "build", str(consultation.id), "--format", "csv", "--output",
                                 str(csv_out), "--with-contacts"])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(csv_out.open(encoding="utf-8-sig", newline="")))
    assert rows[0][7] == "联系方式" and rows[1][7] == "138 0013 8000" and len(rows) == 5
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "export_contacts")).one()
    assert entry.actor_label == "cli" and entry.after["format"] == "csv"

    missing = runner.invoke(args=["digests", "build", "999", "--format", "docx"])
    assert missing.exit_code != 0 and "没有第 999 号征求意见" in missing.output


def test_formula_starts_get_an_apostrophe():
    assert [neutralise_formula(v) for v in ["=1+1", "+1", "-2", "@SUM(A1)", "\tx", "正常", "", 5]] == [
        "'=1+1", "'+1", "'-2", "'@SUM(A1)", "'\tx", "正常", "", 5,
    ]


def test_sheet_titles_are_legal_and_unique():
    taken = {"汇总"}
    long = "（一）" + "老年友好社会创建提升行动" * 3
    first = safe_sheet_title(long, taken)
    second = safe_sheet_title(long, taken)
    assert len(first) == 31 and len(second) <= 31 and first != second and second.endswith("(2)")
    assert safe_sheet_title("附件1/表[2]:说明?", taken) == "附件1表2说明"


def test_chinese_characters_count_double_width():
    assert display_width("意见") == 4 and display_width("ab") == 2 and display_width("（一）") == 6
