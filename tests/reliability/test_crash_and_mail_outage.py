"""Under concurrent submissions a web worker is killed mid-request and the SMTP server goes down and comes
back: every comment that got a receipt is stored exactly once, every routed mail delivered exactly once.

The short version (a few seconds of load); bench/reliability.py runs the same scenario for minutes.
"""
from tests.conftest import SMTPSink
from tests.reliability.scenario import run


def test_nothing_lost_nothing_twice(app, database_url, tmp_path):
    smtp = SMTPSink()
    smtp.start()
    try:
        outcome = run(app, database_url, smtp, tmp_path, seconds=4, citizens=4, kills=1, outages=1)
    finally:
        smtp.stop()
    print("\n" + outcome.report())
    assert outcome.workers_killed == 1 and outcome.smtp_outages == 1
    assert len(outcome.receipts) >= 10, outcome.report()
    assert outcome.receipts_missing == [] and outcome.receipts_duplicated == [], outcome.report()
    assert outcome.routed_expected > 0 and outcome.exactly_once, outcome.report()
    # the mail workers (--loop) gave the processors to the web workers during the load
    assert outcome.mail_worker_nice == [10, 10] and outcome.web_worker_nice == [0, 0], outcome.report()
