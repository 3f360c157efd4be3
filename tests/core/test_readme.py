"""The README stays true: every setting a deployer can set (portal/config.py, portal/mail/config.py) is in its
Configuration table with its default, and the table names no setting the portal does not read; every `flask …`
command it shows exists with the options it shows; every repository path and migration it names exists; its
architecture tree lists every package and module under portal/, one line each; every address it shows is one the
portal serves."""
from __future__ import annotations

import re
from pathlib import Path

import click
from flask.cli import FlaskGroup, ScriptInfo
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import RequestRedirect

from portal import create_app
from portal.config import ENVIRONMENT, Config
from portal.mail.config import SETTINGS as MAIL_SETTINGS

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
VARIABLE = re.compile(r"PORTAL_[A-Z0-9_]+")
# read by create_app itself (the folder it makes its Config's paths from), not through a Config key
READ_BY_CREATE_APP = {"PORTAL_INSTANCE_PATH": "instance/"}


def section(title: str, text: str = README) -> str:
    """The text of the README's section ``## title``, up to the next heading of its level."""
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start:end if end != -1 else None]


def configuration_rows(text: str = README) -> dict[str, str]:
    """Each variable of the Configuration table: the text of its default cell, for the variable at its place in a row
    naming several (`PORTAL_MAIL_TIMEOUT`, `PORTAL_MAIL_CLAIM_TIMEOUT` | `30`, `600` |)."""
    rows: dict[str, str] = {}
    for line in section("Configuration", text).splitlines():
        if not line.startswith("| `"):
            continue
        cells = [cell.strip() for cell in line.strip("|").split(" | ")]
        names = VARIABLE.findall(cells[0].split("(or")[0])
        defaults = [part.strip() for part in cells[1].split(", ")] if len(names) > 1 else [cells[1]]
        for index, name in enumerate(names):
            rows[name] = defaults[index] if index < len(defaults) else ""
    return rows


def deployer_settings() -> dict[str, object]:
    """Every environment variable a deployer can set, and its default (None where it has none of its own)."""
    settings: dict[str, object] = {variable: getattr(Config, key, None)
                                   for key, (variable, _kind) in ENVIRONMENT.items()}
    settings.update({variable: default for variable, default, _kind in MAIL_SETTINGS.values()})
    settings.update(READ_BY_CREATE_APP)
    return settings


def default_shown(default: object, cell: str) -> bool:
    """Does the table's default cell say ``default``? Numbers as written or with thousands separators, switches as
    off/on; a setting of no default of its own (None, the key in the source) is described in words: not checked."""
    if default is None or default == Config.SECRET_KEY:
        return True
    if isinstance(default, bool):
        return cell.startswith("on" if default else "off")
    if isinstance(default, int):
        return bool(re.search(rf"(?<![\d,]){default}(?![\d,])|(?<![\d,]){default:,}(?![\d,])", cell))
    if isinstance(default, list):
        return all(str(item) in cell for item in default)
    return str(default) in cell


def test_every_setting_is_in_the_configuration_table_with_its_default():
    rows = configuration_rows()
    settings = deployer_settings()
    missing = sorted(set(settings) - set(rows))
    assert not missing, f"README, Configuration: add a row for {missing}"
    wrong = {variable: (rows[variable], default) for variable, default in settings.items()
             if not default_shown(default, rows[variable])}
    assert not wrong, f"README, Configuration: the default shown is not the code's (shown, code): {wrong}"


def test_the_readme_names_no_setting_the_portal_does_not_read():
    rows = configuration_rows()
    unknown = sorted(set(rows) - set(deployer_settings()))
    assert not unknown, f"README, Configuration: no such setting in portal/config.py: {unknown}"
    # elsewhere the README may name the tests' own variables, which test.sh or tests/ read
    tools = "\n".join(path.read_text(encoding="utf-8") for path in
                      [ROOT / "test.sh", ROOT / "start.sh", *sorted((ROOT / "tests").rglob("*.py"))]
                      if path.name != "test_readme.py")
    unread = sorted({variable for variable in VARIABLE.findall(README)
                     if variable not in deployer_settings() and variable not in tools})
    assert not unread, f"README names variables nothing reads: {unread}"


def test_the_check_finds_a_missing_or_unknown_setting():
    table = section("Configuration")
    without = README.replace(table, table.replace("| `PORTAL_FEEDBACK_PAGE_SIZE` |", "| `PORTAL_FEEDBACK_PAGES` |"))
    rows = configuration_rows(without)
    assert "PORTAL_FEEDBACK_PAGE_SIZE" not in rows and "PORTAL_FEEDBACK_PAGES" in rows
    assert rows["PORTAL_MAIL_CLAIM_TIMEOUT"] == "`600`" and default_shown(600, rows["PORTAL_MAIL_CLAIM_TIMEOUT"])
    assert not default_shown(60, "`600`") and not default_shown(True, "off")
    assert default_shown(5242880, "5242880 (5 MB)") and default_shown(5000, "`5,000`")


def _commands_shown() -> list[tuple[str, str | None, list[str], str]]:
    """Each `flask [--app wsgi] GROUP [COMMAND] [options]` the README shows: group, command, options, as written."""
    shown = []
    for match in re.finditer(r"flask (?:--app wsgi )?([a-z][a-z-]*)(?:\s+([a-z][a-z-]*))?((?:\\\||[^`|\n])*)", README):
        options = re.findall(r"(?<![\w-])(--[a-z][a-z-]*)", match.group(3))
        shown.append((match.group(1), match.group(2), options, match.group(0)))
    return shown


def test_every_command_the_readme_shows_exists_with_its_options(tmp_path):
    def made() -> object:
        return create_app({"TESTING": True, "SECRET_KEY": "test",
                           "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"})

    group = FlaskGroup(create_app=made)
    shown = _commands_shown()
    assert len(shown) > 40  # the table of commands, the deployment's workers, backups
    wrong = []
    with click.Context(group, obj=ScriptInfo(create_app=made)) as context:  # this app, not wsgi.py's
        for name, sub, options, written in shown:
            command = group.get_command(context, name)
            if isinstance(command, click.Group):
                command = command.get_command(context, sub) if sub else None
            if command is None:
                wrong.append(written)
                continue
            known = {option for parameter in command.params for option in parameter.opts + parameter.secondary_opts}
            wrong += [f"{written}: {option}" for option in options if option not in known]
    assert not wrong, f"README shows commands or options the portal does not have: {wrong}"


def _paths_named() -> set[str]:
    """Repository paths in the README's code spans and links: those under the repository's own folders, or a file
    name with the repository's extensions. Addresses (/api/…) and the instance folder (made at run time) are not."""
    tops = ("portal/", "tests/", "bench/", "docs/", "samples/", "migrations/", "templates/", "translations/", ".ci/",
            "./")
    spans = re.findall(r"`([^`\n]+)`", README) + re.findall(r"\]\(([^)\s]+)\)", README)
    paths = set()
    for span in spans:
        for word in span.split():
            word = word.strip("(),;:")
            if word.startswith(tops) or re.fullmatch(r"[\w.-]+/[\w./-]*\.(py|md|sh|json|cfg|toml|po|png)", word):
                paths.add(word)
    return paths


def _exists(path: str) -> bool:
    try:
        return any(ROOT.glob(path.rstrip("/")))
    except ValueError:  # a pattern glob cannot read (templates/**.txt) names nothing
        return False


def test_every_path_the_readme_names_exists():
    paths = _paths_named()
    assert {"portal/core/tokens.py", "docs/section-normal.png", "./test.sh", "tests/browser/vendor/"} <= paths
    missing = sorted(path for path in paths if not _exists(path))
    assert not missing, f"README names paths that do not exist: {missing}"
    revisions = {revision for match in re.finditer(r"migrations? (\d{4}(?:, \d{4})*)", README)
                 for revision in match.group(1).split(", ")}
    assert {"0031", "0057"} <= revisions
    versions = ROOT / "migrations" / "versions"
    unknown = sorted(revision for revision in revisions if not any(versions.glob(f"{revision}_*.py")))
    assert not unknown, f"README names migrations that do not exist: {unknown}"


def test_the_architecture_lists_each_package_of_portal_once():
    tree = section("Architecture").split("```")[1]
    entries = re.findall(r"^  ([\w.]+/?)\s", tree, flags=re.MULTILINE)
    assert len(entries) == len(set(entries)), "README, Architecture: one line a package"
    packages = {f"{path.name}/" if path.is_dir() else path.name for path in (ROOT / "portal").iterdir()
                if path.name != "__pycache__" and (path.is_dir() or path.suffix == ".py")}
    assert set(entries) == packages, (f"README, Architecture: missing {sorted(packages - set(entries))}, "
                                      f"gone {sorted(set(entries) - packages)}")
    top = set(re.findall(r"^([\w.]+/?)\s", tree, flags=re.MULTILINE)) - {"portal/"}
    assert top and all((ROOT / name).exists() for name in top), top


def test_every_address_the_readme_shows_is_a_page_of_the_portal(tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"})
    adapter = app.url_map.bind("localhost")
    addresses = {word.split("?")[0].rstrip(".,;:)") for span in re.findall(r"`([^`\n]+)`", README)
                 for word in span.split() if word.startswith("/")
                 and not word.startswith(("/usr/", "/etc/", "/srv/", "/backups/"))}  # files on a server
    assert {"/admin/status", "/consultations/ID/feedback", "/api/v1/report"} <= addresses
    unknown = []
    for address in sorted(addresses):
        # the README's placeholders: ID and N numbers, ANCHOR and KEY words, a list of formats its first
        path = re.sub(r"\b(ID|N)\b", "1", re.sub(r"\b(ANCHOR|KEY)\b", "x", address)).replace("|docx|csv", "")
        try:
            adapter.match(path, method="GET")
        except NotFound:
            unknown.append(address)
        except (MethodNotAllowed, RequestRedirect):  # a form's address (POST), or one with or without a slash
            pass
    assert not unknown, f"README shows addresses the portal does not serve: {unknown}"
