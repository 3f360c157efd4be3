"""The draft text of a consultation, split into its section tree, with its tables."""
from __future__ import annotations

from datetime import datetime

from collections.abc import Iterable

from sqlalchemy import JSON, ForeignKey, Select, String, Text, UniqueConstraint, func, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.time import UTCDateTime, now
from portal.extensions import db


class Draft(db.Model):
    """One revision of the text put out for comment."""

    __tablename__ = "drafts"
    __table_args__ = (UniqueConstraint("consultation_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(default=1)
    source_filename: Mapped[str | None] = mapped_column(String(300))
    source_text: Mapped[str] = mapped_column(Text, default="")
    preamble: Mapped[str] = mapped_column(Text, default="")
    warnings: Mapped[list] = mapped_column(JSON, default=list)
    change_note: Mapped[str | None] = mapped_column(Text)  # the office's note on what a revision changed
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    consultation: Mapped["Consultation"] = relationship(back_populates="drafts")  # noqa: F821
    sections: Mapped[list["Section"]] = relationship(
        back_populates="draft", order_by="Section.position", cascade="all, delete-orphan"
    )
    tables: Mapped[list["DraftTable"]] = relationship(
        back_populates="draft", order_by="DraftTable.position", cascade="all, delete-orphan"
    )

    @property
    def top_sections(self) -> list["Section"]:
        return [s for s in self.sections if s.parent_id is None]


def current_draft_ids(consultation_ids: Iterable[int] | None = None) -> Select:
    """SQL: the ids of the current drafts (each consultation's latest version, as ``Consultation.current_draft``),
    of the consultations ``consultation_ids`` only when given: the drafts joined to each consultation's highest
    version, grouped once (on PostgreSQL a subquery for each draft took twice as long over 1,000 consultations)."""
    latest = select(Draft.consultation_id, func.max(Draft.version).label("version")).group_by(Draft.consultation_id)
    if consultation_ids is not None:
        latest = latest.where(Draft.consultation_id.in_(consultation_ids))
    latest = latest.subquery()
    return select(Draft.id).join(
        latest, (Draft.consultation_id == latest.c.consultation_id) & (Draft.version == latest.c.version))


def reads_on(heading: str, text: str) -> bool:
    """A text that goes on from its heading mid-sentence, beginning with the mark after the clause the import took as
    the heading ("加大养老服务补贴力度" + "，特别是……"): a paragraph of a draft never begins with such a mark."""
    return bool(heading and text and text[0] in "，,、；;：:")


class Section(db.Model):
    """One numbered part of the draft (一、 （一） 1. 一是 第X条 …, or an appendix); sections nest."""

    __tablename__ = "sections"

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id", ondelete="CASCADE"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("sections.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]  # order in the document, 0-based, unique within a draft
    level: Mapped[int]
    anchor: Mapped[str] = mapped_column(String(50))
    label: Mapped[str] = mapped_column(String(50))
    number: Mapped[int | None]
    heading: Mapped[str] = mapped_column(Text, default="")
    text: Mapped[str] = mapped_column(Text, default="")
    run_in: Mapped[bool] = mapped_column(default=False)
    kind: Mapped[str] = mapped_column(String(20), default="section")
    unit_names: Mapped[list] = mapped_column(JSON, default=list)
    # those of unit_names that lead (牵头单位: marked * in the draft, "（牵头）", or listed under 牵头单位); None (imported
    # before migration 0065): none told apart
    lead_unit_names: Mapped[list | None] = mapped_column(JSON, default=list)
    # 要点: a few plain words from the drafting office on what the section says and whom it touches, shown before
    # its text (portal/office/services.py: update_section); not part of the draft (not in its Word copy, nor
    # quotable). None: none written.
    key_points: Mapped[str | None] = mapped_column(Text)
    # In a revision: the section of the previous version this one was matched to (None: a new section).
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("sections.id", ondelete="SET NULL"))

    draft: Mapped[Draft] = relationship(back_populates="sections")
    parent: Mapped["Section | None"] = relationship(
        remote_side=[id], back_populates="children", foreign_keys=[parent_id]
    )
    children: Mapped[list["Section"]] = relationship(
        back_populates="parent", order_by="Section.position", foreign_keys=[parent_id]
    )
    tables: Mapped[list["DraftTable"]] = relationship(back_populates="section", order_by="DraftTable.position")
    previous: Mapped["Section | None"] = relationship(remote_side=[id], foreign_keys=[previous_id])

    @property
    def title(self) -> str:
        """The heading as shown in a table of contents: label and heading, without closing punctuation."""
        heading = self.heading.rstrip("。；;：:，, ")
        if not heading:
            heading = self.text[:30].rstrip("。；;：:，, ") + ("…" if len(self.text) > 30 else "")
        return f"{self.label}{heading}" if self.kind == "section" else f"{self.label} {heading}"

    @property
    def _naming_units(self) -> Section | None:
        """The section that names the units answering for this one: itself, else its nearest parent naming some."""
        section: Section | None = self
        while section is not None and not section.unit_names:
            section = section.parent
        return section

    @property
    def responsible_units(self) -> list[str]:
        """The units answering for this section: its own, else inherited from the nearest parent."""
        section = self._naming_units
        return list(section.unit_names) if section is not None else []

    @property
    def responsible_lead_units(self) -> list[str]:
        """Those of ``responsible_units`` that lead (牵头单位), of the section that names them: its own, else the
        nearest parent's; none when the draft marks none."""
        section = self._naming_units
        return section.lead_units if section is not None else []

    @property
    def continues_heading(self) -> bool:
        """The text goes on from the heading mid-sentence: the import took an item's first clause as its heading and
        the clause's mark begins the text ("加大养老服务补贴力度" + "，特别是……": portal/drafts/parser.py,
        _clause_heading). Shown apart from its heading, the text reads on from it, never from a bare comma."""
        return bool(self.run_in and reads_on(self.heading, self.text))

    @property
    def lead_units(self) -> list[str]:
        """The section's own units that lead (牵头单位), in the order the draft lists them."""
        leads = set(self.lead_unit_names or ())
        return [name for name in self.unit_names or [] if name in leads]

    @property
    def other_units(self) -> list[str]:
        """The section's own units that do not lead: all of them when none is marked as leading."""
        leads = set(self.lead_unit_names or ())
        return [name for name in self.unit_names or [] if name not in leads]

    @property
    def lines(self) -> list[str]:
        """The paragraphs of the section's text (its non-empty lines)."""
        return [line for line in self.text.split("\n") if line]

    def ancestors(self) -> list["Section"]:
        chain, section = [], self.parent
        while section is not None:
            chain.append(section)
            section = section.parent
        return list(reversed(chain))


class DraftTable(db.Model):
    """A table of the draft (often in an appendix), kept as rows, not prose."""

    __tablename__ = "draft_tables"

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id", ondelete="CASCADE"), index=True)
    section_id: Mapped[int | None] = mapped_column(ForeignKey("sections.id", ondelete="SET NULL"))
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str | None] = mapped_column(String(500))
    header: Mapped[list] = mapped_column(JSON, default=list)
    rows: Mapped[list] = mapped_column(JSON, default=list)

    draft: Mapped[Draft] = relationship(back_populates="tables")
    section: Mapped[Section | None] = relationship(back_populates="tables")
