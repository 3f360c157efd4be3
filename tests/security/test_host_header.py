"""Anyone may send any Host header. Without PORTAL_BASE_URL, a mail link made from it would point at the sender's
server, which would then hold the token: a citizen's sign-in link (their account), a unit's advice link (its list of
comments). Only this machine's own names, or PORTAL_TRUSTED_HOSTS, make the links of mails."""
import re

from portal.mail.worker import deliver_due
from tests.helpers import csrf_token

ADDRESS = "li.ayi@example.cn"


def ask_for_link(client, host: str):
    token = csrf_token(client, f"http://{host}/account/sign-in")  # the cookies of that host
    return client.post("/account/sign-in", base_url=f"http://{host}", data={"csrf_token": token, "email": ADDRESS})


def mailed_link(smtp_server) -> str:
    text = smtp_server.to(ADDRESS)[-1].get_body(("plain",)).get_content()
    return re.search(r"(\S+)/account/sign-in/[A-Za-z0-9._-]+", text).group(1)


def without_base_url(app):
    app.config["PORTAL_BASE_URL"] = None


def test_a_host_header_of_another_server_makes_no_link(app, client, open_003, smtp_server):
    without_base_url(app)
    assert ask_for_link(client, "evil.example").status_code == 303
    deliver_due()
    assert mailed_link(smtp_server) == "http://127.0.0.1:5000"
    assert "evil.example" not in smtp_server.to(ADDRESS)[-1].as_string()


def test_this_machines_own_name_makes_the_links(app, client, open_003, smtp_server):
    without_base_url(app)
    assert ask_for_link(client, "localhost:8000").status_code == 303
    deliver_due()
    assert mailed_link(smtp_server) == "http://localhost:8000"


def test_trusted_hosts_make_the_links_and_others_are_refused(app, client, open_003, smtp_server):
    without_base_url(app)
    app.config["TRUSTED_HOSTS"] = ["consult.example.gov.cn"]
    try:
        assert client.get("/account/sign-in", headers={"Host": "evil.example"}).status_code == 400
        token = csrf_token(client, "http://consult.example.gov.cn/account/sign-in")
        asked = client.post("/account/sign-in", base_url="http://consult.example.gov.cn",
                            data={"csrf_token": token, "email": ADDRESS})
        assert asked.status_code == 303
        deliver_due()
        assert mailed_link(smtp_server) == "http://consult.example.gov.cn"
    finally:
        app.config["TRUSTED_HOSTS"] = None


def test_the_base_url_set_is_used_whatever_the_host(app, client, open_003, smtp_server):
    app.config["PORTAL_BASE_URL"] = "https://portal.example.gov.cn"
    assert ask_for_link(client, "evil.example").status_code == 303
    deliver_due()
    assert mailed_link(smtp_server) == "https://portal.example.gov.cn"


def test_a_name_that_only_begins_like_a_loopback_address_makes_no_link(app, client, open_003, smtp_server):
    """127.attacker.example and 127.0.0.1.nip.io are anybody's names; 127.0.0.2 and [::1] are this machine."""
    from portal.mail.links import _local

    assert not any(_local(host) for host in ("127.attacker.example", "127.0.0.1.nip.io", "localhost.evil.example"))
    assert all(_local(host) for host in ("127.0.0.2:8000", "[::1]:5000", "localhost", "portal.localhost"))
    without_base_url(app)
    assert ask_for_link(client, "127.attacker.example").status_code == 303
    deliver_due()
    assert mailed_link(smtp_server) == "http://127.0.0.1:5000"
