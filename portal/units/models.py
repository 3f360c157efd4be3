"""The directory of units (责任单位, offices): where comments are routed."""
from __future__ import annotations

from sqlalchemy import JSON, Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db


class Unit(db.Model):
    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    emails: Mapped[list] = mapped_column(JSON, default=list)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"))
    # 审核发布 for this unit's consultations (portal/office/publication_review.py): None follows the nearest parent
    # unit with a choice, else the deployment (PORTAL_PUBLICATION_REVIEW), True requires a colleague's (or an
    # administrator's) approval, False lets its staff publish alone
    publication_review: Mapped[bool | None] = mapped_column(Boolean, nullable=True, default=None)

    parent: Mapped["Unit | None"] = relationship(remote_side=[id])
    aliases: Mapped[list["UnitAlias"]] = relationship(back_populates="unit", cascade="all, delete-orphan")


class UnitAlias(db.Model):
    """Another name of a unit as drafts write it (市卫生健康委 for 市卫健委): explicit, never guessed."""

    __tablename__ = "unit_aliases"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)
    alias: Mapped[str] = mapped_column(String(200), unique=True)

    unit: Mapped[Unit] = relationship(back_populates="aliases")
