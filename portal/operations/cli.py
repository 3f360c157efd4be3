"""``flask jobs run [--loop]`` (the scheduler) and ``flask jobs status``."""
from __future__ import annotations


import click
from flask.cli import AppGroup

from portal.core.time import SHANGHAI
from portal.core.workers import gives_way_to_web, worker_passes
from portal.operations import status
from portal.operations.jobs import Heartbeat, run_due_jobs
from portal.routing.queue import given_up

jobs_cli = AppGroup("jobs", help="Scheduled jobs: closing at the deadline, digests, erasing old personal data.")


@jobs_cli.command("run")
@click.option("--loop", is_flag=True, help="Keep running: look for due jobs every --interval seconds.")
@click.option("--interval", default=30.0, show_default=True, help="Seconds between looks (--loop).")
@gives_way_to_web
def run_command(loop: bool, interval: float):
    """Run the scheduled jobs that are due (each once per its interval, however many schedulers run)."""
    # SIGTERM: ends after the jobs under way; a failed pass (the database gone while claiming the jobs): retried later
    for runs in worker_passes("scheduler", loop, interval, run_due_jobs, heartbeat=Heartbeat("scheduler")):
        for ran in runs:
            if loop and not ran.error and not ran.did_something:
                continue  # a service's log shows what changed, not a line a minute that nothing did
            if ran.error:
                click.echo(f"{ran.job.name}：失败（{ran.error.strip().splitlines()[-1]}）", err=True)
            else:
                click.echo(f"{ran.job.name}：{ran.job.describe(ran.counts)}")


@jobs_cli.command("status")
def status_command():
    """Print each job's last run, the queues and the workers seen (what /admin/status shows)."""
    for state in status.jobs():
        run = state.run
        when = f"{run.started_at.astimezone(SHANGHAI):%Y-%m-%d %H:%M:%S}" if run and run.started_at else "从未运行"
        flag = "  ← 逾期未运行" if state.overdue else ("  ← 可能已中断" if state.stalled else "")
        click.echo(f"{state.job.name:<16} {when}  {run.outcome if run and run.outcome else '-'}{flag}")
    for backlog in status.backlogs():
        click.echo(f"{backlog.key:<16} {backlog.count}" + ("  ← 积压" if backlog.late else ""))
    if failed := given_up():
        click.echo(f"{'routing-failed':<16} {failed}  ← 生成邮件失败，已停止重试（/admin/status；flask mail retry-routing）")
    if (exports := status.failed_exports()).count:
        click.echo(f"{'exports-failed':<16} {exports.count}  ← 最近 {exports.days} 天导出文件没有生成成功（原因见 /admin/status）")
    for worker in status.workers():
        click.echo(f"{worker.kind:<16} {len(worker.seen)} 个进程在运行")
