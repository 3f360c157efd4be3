"""``flask search work`` (the index worker) and ``flask search reindex``."""

import click
from flask.cli import AppGroup

from portal.core.workers import gives_way_to_web, worker_passes
from portal.extensions import db
from portal.consultations.models import public_consultation
from portal.search.services import reindex, reindex_size
from portal.operations.jobs import Heartbeat
from portal.search.worker import index_turn, work_queue

search_cli = AppGroup("search", help="Search index: work the queue, rebuild.")


@search_cli.command("work")
@click.option("--loop", is_flag=True, help="Keep running: wait for new queue rows.")
@click.option("--batch", default=500, show_default=True, help="Queue rows claimed at a time.")
@click.option("--interval", default=1.0, show_default=True, help="Seconds to wait when the queue is empty.")
@gives_way_to_web
def work_command(loop: bool, batch: int, interval: float):
    """Index what the queue names (changes since the last run), after they were committed."""
    def until_empty() -> int:  # without --loop: batch after batch until the queue is empty
        total = 0
        while count := work_queue(batch):
            total += count
        return total

    # SIGTERM: ends after the batch under way; a batch that found rows: the next one at once
    done = sum(worker_passes("search", loop, interval, lambda: work_queue(batch), heartbeat=Heartbeat("search"),
                             single=until_empty, busy=bool))
    click.echo(f"已更新索引：{done} 项。")


@search_cli.command("reindex")
@click.option("--consultation", "consultation_id", type=int, help="Only this consultation.")
def reindex_command(consultation_id: int | None):
    """Rebuild the search index from the database (all consultations, or one)."""
    consultation = None
    if consultation_id is not None:
        consultation = public_consultation(consultation_id)
        if consultation is None:
            raise click.ClickException(f"没有编号为 {consultation_id} 的已发布征求意见。")
    total = reindex_size(consultation)
    # in the index workers' turn: what a worker indexes meanwhile is not overwritten by what the rebuild read before
    with index_turn(), click.progressbar(length=total, label="重建搜索索引") as bar:
        reindex(consultation, bar.update)
        db.session.commit()
    click.echo(f"已重建索引：{total} 项。")
