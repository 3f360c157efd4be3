"""``flask consultations load-samples`` knows a loaded sample by the record of its loading, not by a draft of the
same file name: an office's upload of that name stopped the sample from loading."""
import io

from sqlalchemy import func, select

from portal.audit.models import AuditEntry
from portal.consultations.models import Consultation
from portal.drafts.models import Draft
from portal.extensions import db
from tests.helpers import SEEDS, csrf_token, shanghai

OFFICE_DRAFT = """关于社区食堂的实施意见（征求意见稿）
一、总体要求
坚持就近方便。
二、主要措施
各街道建设社区食堂。
"""


def load_samples(app) -> str:
    result = app.test_cli_runner().invoke(args=["consultations", "load-samples", "--dir", str(SEEDS)])
    assert result.exit_code == 0, result.output
    return result.output


def sample_names() -> list[str]:
    return sorted(path.name for path in SEEDS.glob("*.txt"))


def test_an_office_upload_of_a_samples_name_does_not_stop_the_sample(app, client, clock, make_user, login):
    clock.set(shanghai(2026, 11, 23, 10, 0))
    make_user("office", "office@mz.gov.cn", unit_name="市民政局")
    login("office@mz.gov.cn")
    name = sample_names()[3]  # 003_….txt: the office's own file happens to have the sample's name
    uploaded = client.post("/office/upload", content_type="multipart/form-data", data={
        "csrf_token": csrf_token(client, "/office/upload"), "file": (io.BytesIO(OFFICE_DRAFT.encode()), name)})
    assert uploaded.status_code == 302, uploaded.get_data(as_text=True)[:500]

    output = load_samples(app)
    assert "跳过" not in output and f"已加载：{name}" in output
    titles = db.session.scalars(select(Consultation.title).order_by(Consultation.id)).all()
    assert len(titles) == 6 and titles[0] == "关于社区食堂的实施意见（征求意见稿）"
    assert db.session.scalar(select(func.count()).select_from(Draft).where(Draft.source_filename == name)) == 2
    # loading again loads none of them twice
    again = load_samples(app)
    assert "已加载" not in again and again.count("已存在，跳过") == 5
    assert db.session.scalar(select(func.count()).select_from(Consultation)) == 6
    marks = db.session.scalars(select(AuditEntry.after).where(AuditEntry.action == "load_sample")).all()
    assert sorted(mark["sample"] for mark in marks) == sample_names()


def test_samples_loaded_before_their_loading_was_recorded_are_not_loaded_again(app, clock, import_seed):
    """A portal that loaded its samples before this change has drafts of their names and no record of loading."""
    clock.set(shanghai(2026, 11, 23, 10, 0))
    import_seed("001", publish=False)
    import_seed("003", publish=False)
    output = load_samples(app)
    assert output.count("已存在，跳过") == 2 and output.count("已加载") == 3
    assert db.session.scalar(select(func.count()).select_from(Consultation)) == 5
