"""The mail worker after a burst: how fast ``flask mail deliver`` empties the outbox.

A fresh database with an open consultation (seed 003, every responsible unit with an address) takes
``--comments`` comments through the portal's own submission (direct WSGI calls, as the wrk script sends them:
one in four leaves an e-mail address). Then the mail worker's passes (``deliver_due``, batches of 100, as
``flask mail deliver --loop`` runs them) plan their mails (the routing queue) and send every due message to an
SMTP server on loopback (aiosmtpd, in a process of its own), until nothing is left. Printed: the messages
sent a second, the SMTP connections opened and the sessions' commands, and what the outbox holds afterwards.

A real relay is further away than loopback: opening a connection costs a TCP handshake, STARTTLS and a login.
``--connect-ms N`` makes the sink wait N ms before it answers each EHLO (each new connection), so that a run
shows what connecting costs when the relay is not on the same host.

Run: .venv/bin/python bench/mail_delivery.py [--database sqlite|postgresql|both] [--comments 500]
     [--connect-ms 0] [--profile]
"""
from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import free_port, wait_until_idle  # noqa: E402
from bench.submit_comments import direct_submissions  # noqa: E402


class Sink:
    """An aiosmtpd server on loopback, in a process of its own (as a relay is), that counts connections (EHLO),
    messages and QUITs in shared memory."""

    def __init__(self, connect_ms: int):
        self.port = free_port()
        self.connect_ms = connect_ms
        self.counts = multiprocessing.Array("l", 3)  # EHLO, DATA, QUIT
        self.process = None

    @property
    def connections(self) -> int:
        return self.counts[0]

    @property
    def messages(self) -> int:
        return self.counts[1]

    @property
    def quits(self) -> int:
        return self.counts[2]

    def __enter__(self):
        ready = multiprocessing.Event()
        self.process = multiprocessing.Process(target=_serve, args=(self.port, self.connect_ms, self.counts, ready),
                                               daemon=True)
        self.process.start()
        if not ready.wait(30):
            raise RuntimeError("the SMTP sink did not start")
        return self

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.join()


def _serve(port: int, connect_ms: int, counts, ready) -> None:
    from aiosmtpd.controller import Controller

    class Handler:
        async def handle_EHLO(self, server, session, envelope, hostname, responses):
            counts[0] += 1
            if connect_ms:
                await asyncio.sleep(connect_ms / 1000)
            session.host_name = hostname
            return responses

        async def handle_DATA(self, server, session, envelope):
            counts[1] += 1
            return "250 Message accepted for delivery"

        async def handle_QUIT(self, server, session, envelope):
            counts[2] += 1
            return "221 Bye"

    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    while True:
        time.sleep(3600)


def run(kind: str, comments: int, connect_ms: int, profile: bool = False) -> None:
    import cProfile
    import pstats

    from sqlalchemy import func, select

    from portal.extensions import db, mail
    from portal.mail.models import OutboxMessage
    from portal.mail.worker import deliver_due, new_worker_id

    with direct_submissions(kind) as (environs, submit, app), Sink(connect_ms) as sink:
        for environ in environs(range(comments)):
            submit(environ)
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=sink.port, MAIL_SUPPRESS_SEND=False, MAIL_TIMEOUT=10)
        mail.init_app(app)
        with app.app_context():
            worker_id, passes, routed, sent = new_worker_id(), 0, 0, 0
            profiler = cProfile.Profile() if profile else None
            started, cpu = time.perf_counter(), time.process_time()
            if profiler:
                profiler.enable()
            while True:
                report = deliver_due(batch=100, worker_id=worker_id)
                passes += 1
                routed, sent = routed + report.routed, sent + len(report.sent)
                if not report.handled and not report.routed:
                    break
            seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
            if profiler:
                profiler.disable()
                pstats.Stats(profiler).sort_stats(os.environ.get("BENCH_SORT", "cumulative")).print_stats(40)
                if os.environ.get("BENCH_CALLERS"):
                    pstats.Stats(profiler).print_callers(os.environ["BENCH_CALLERS"])
            statuses = dict(db.session.execute(
                select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all())
            db.session.remove()
            db.engine.dispose()
        received, connections, quits = sink.messages, sink.connections, sink.quits
    print(f"\n{kind}: {comments:,} comments, {routed:,} routed; {sent:,} messages sent in {seconds:.1f} s "
          f"({passes} passes): {sent / seconds:,.0f} messages/s, {cpu / max(sent, 1) * 1000:.2f} ms of CPU each"
          f"{f' (the relay takes {connect_ms} ms to connect)' if connect_ms else ''}")
    print(f"  SMTP server: {received:,} messages, {connections:,} connections "
          f"({received / max(connections, 1):.1f} messages each), {quits:,} QUIT")
    print(f"  outbox afterwards: {statuses}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--comments", type=int, default=500)
    parser.add_argument("--connect-ms", type=int, default=0,
                        help="the sink waits this long before answering each EHLO (a relay further away)")
    parser.add_argument("--profile", action="store_true", help="cProfile of the worker's passes (this process)")
    args = parser.parse_args()
    kinds = ("sqlite", "postgresql") if args.database == "both" else (args.database,)
    wait_until_idle()
    for kind in kinds:
        run(kind, args.comments, args.connect_ms, args.profile)


if __name__ == "__main__":
    main()
