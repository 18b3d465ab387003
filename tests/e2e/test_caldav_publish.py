"""``relplan publish caldav`` against a real Radicale server started on 127.0.0.1 by the tests."""

from __future__ import annotations

import datetime as dt
import io
import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import icalendar
import keyring
import keyring.backend
import pytest
from caldav.davclient import DAVClient

from relplan.cli import commands as cli
from relplan.errors import ValidationError
from relplan.publish.caldav_store import (
    CaldavCalendar,
    PublishError,
    credential_name,
    password_for,
    store_password,
)
from relplan.publish.publisher import EventResource
from relplan.store.workspace import Workspace
from tests.helpers.memory_keyring import MemoryKeyring, memory_keyring_fixture  # noqa: F401
from tests.helpers.plans import document

pytestmark = pytest.mark.e2e

USER = "alice"
PASSWORD = "s3cret"


class BrokenKeyring(MemoryKeyring):
    def get_password(self, service: str, username: str) -> str | None:
        raise keyring.errors.KeyringError("locked")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.PasswordSetError("locked")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def radicale(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Radicale server with one user (htpasswd, plain), storing into a temporary folder."""
    folder = tmp_path_factory.mktemp("radicale")
    users = folder / "users"
    users.write_text(f"{USER}:{PASSWORD}\n")
    port = _free_port()
    log = (folder / "radicale.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "radicale",
            "--config",
            "",  # no config files: only these options
            "--server-hosts",
            f"127.0.0.1:{port}",
            "--auth-type",
            "htpasswd",
            "--auth-htpasswd-filename",
            str(users),
            "--auth-htpasswd-encryption",
            "plain",
            "--auth-delay",
            "0",
            "--storage-filesystem-folder",
            str(folder / "collections"),
            "--logging-level",
            "warning",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                pytest.fail(f"radicale exited: {(folder / 'radicale.log').read_text()}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("radicale did not start within 30 s")
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}/"
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)
        log.close()


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> str:
    if "relplan.cli.calendar" not in cli.COMMAND_MODULES:  # until the lead wires it for good
        monkeypatch.setattr(cli, "COMMAND_MODULES", (*cli.COMMAND_MODULES, "relplan.cli.calendar"))
    src = tmp_path / "plan.json"
    doc = document()
    doc["freezes"].append(
        {
            "name": "Weekend",
            "start": "2026-11-06",
            "end": "2026-11-09",
            "environments": ["Production"],
            "teams": [],
            "start_time": "16:00",
            "end_time": "08:00",
            "rrule": "FREQ=WEEKLY;BYDAY=FR",
        }
    )
    src.write_text(json.dumps(doc))
    path = str(tmp_path / "plan.relplan")
    assert cli.run(["--db", path, "import", str(src)]) == 0
    capsys.readouterr()
    return path


def server_events(url: str, name: str) -> dict[str, tuple[str, icalendar.Component]]:
    """What the server holds in calendar ``name``: UID -> (href, VEVENT)."""
    with DAVClient(url=url, username=USER, password=PASSWORD) as client:
        client_any: Any = client
        principal = client_any.get_principal()
        [calendar] = [c for c in principal.get_calendars() if c.get_display_name() == name]
        found = {}
        for event in calendar.get_events():
            [vevent] = icalendar.Calendar.from_ical(event.data).walk("VEVENT")
            found[str(vevent["UID"])] = (str(event.url), vevent)
        return found


def publish(db: str, url: str, name: str, *extra: str) -> int:
    return cli.run(
        ["--db", db, "publish", "caldav", "--url", url, "--calendar", name, "--user", USER, *extra]
    )


def test_publish_creates_then_changes_nothing_then_updates_in_place_and_removes(
    db: str,
    radicale: str,
    memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
    assert publish(db, radicale, "Releases", "--password-stdin", "--today", "2026-11-01") == 0
    assert capsys.readouterr().out == (
        f"published 'Releases' to {radicale}: 6 created, 0 updated, 0 removed, 0 unchanged\n"
    )
    assert memory_keyring.secrets == {("relplan", credential_name(radicale, USER)): PASSWORD}
    first = server_events(radicale, "Releases")
    assert len(first) == 6
    weekend = next(e for _, e in first.values() if str(e["SUMMARY"]) == "Freeze: Weekend")
    assert str(weekend["DTSTART"].params["TZID"]) == "Europe/Berlin"
    assert weekend["RRULE"].to_ical() == b"FREQ=WEEKLY;BYDAY=FR"

    # A second publish with no change changes nothing (the password now comes from the keyring).
    assert publish(db, radicale, "Releases", "--today", "2026-11-01") == 0
    assert capsys.readouterr().out.endswith(": 0 created, 0 updated, 0 removed, 6 unchanged\n")
    assert server_events(radicale, "Releases").keys() == first.keys()

    # Move a release and drop its milestone: one event updated in place, one removed.
    assert cli.run(["--db", db, "impact", "PAY-2026.12", "--slip", "1", "--apply"]) == 0
    with Workspace.open(db) as ws:
        release = ws.release("PAY-2026.12")
        ws.update_releases([replace(release, milestones=())], "drop milestone")
    capsys.readouterr()
    assert publish(db, radicale, "Releases", "--today", "2026-11-01") == 0
    summary = capsys.readouterr().out
    assert "0 created" in summary
    assert "1 removed" in summary
    after = server_events(radicale, "Releases")
    assert len(after) == 5
    [(uid, (href, release_event))] = [
        (u, v) for u, v in after.items() if str(v[1]["SUMMARY"]).startswith("Payments 2026.12 (")
    ]
    assert href == first[uid][0]  # the same resource, written over
    assert release_event["DTSTART"].dt == dt.date(2026, 11, 3)
    # Two changes (the slip, the dropped milestone); the client library adds no bump of its own.
    assert (int(first[uid][1]["SEQUENCE"]), int(release_event["SEQUENCE"])) == (0, 2)
    assert publish(db, radicale, "Releases", "--today", "2026-11-01") == 0
    assert capsys.readouterr().out.endswith(": 0 created, 0 updated, 0 removed, 5 unchanged\n")


def test_events_people_added_stay_and_filters_publish_a_part(
    db: str, radicale: str, memory_keyring: MemoryKeyring, capsys: pytest.CaptureFixture[str]
) -> None:
    store_password(radicale, USER, PASSWORD)
    own = icalendar.Calendar()
    own.add("prodid", "-//someone//EN")
    own.add("version", "2.0")
    party = icalendar.Event()
    party.add("uid", "party@example.com")
    party.add("summary", "Team party")
    party.add("dtstamp", dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    party.add("dtstart", dt.date(2026, 12, 18))
    own.add_component(party)
    with DAVClient(url=radicale, username=USER, password=PASSWORD) as client:
        client_any: Any = client
        calendar = client_any.get_principal().make_calendar(name="Shared")
        calendar.add_event(own.to_ical().decode())
    assert publish(db, radicale, "Shared", "--team", "WEB") == 0
    assert capsys.readouterr().out.endswith(": 3 created, 0 updated, 0 removed, 0 unchanged\n")
    assert publish(db, radicale, "Shared", "--team", "PAY") == 0
    assert capsys.readouterr().out.endswith(": 3 created, 0 updated, 1 removed, 2 unchanged\n")
    titles = sorted(str(e["SUMMARY"]) for _, e in server_events(radicale, "Shared").values())
    assert titles == [
        "Freeze: Holiday freeze",
        "Freeze: Weekend",
        "Payments 2026.12 (PAY-2026.12)",
        "Payments 2026.12: Code freeze",
        "Payments 2026.12: Production (canary)",
        "Team party",
    ]


def test_wrong_or_missing_password_and_unreachable_server(
    db: str, radicale: str, memory_keyring: MemoryKeyring, capsys: pytest.CaptureFixture[str]
) -> None:
    assert publish(db, radicale, "Releases") == 2
    assert capsys.readouterr().err == (
        f"relplan: no password for {USER} at {radicale} in the keyring; "
        "publish once with --password-stdin to store it\n"
    )
    store_password(radicale, USER, "wrong")
    assert publish(db, radicale, "Releases") == 2
    assert "refused the credentials" in capsys.readouterr().err
    with pytest.raises(PublishError) as caught:
        CaldavCalendar.connect(f"http://127.0.0.1:{_free_port()}/", "X", timeout_s=5)
    assert caught.value.kind == PublishError.NETWORK


def test_server_errors_are_remote_publish_errors(radicale: str) -> None:
    calendar = CaldavCalendar.connect(radicale, "Errors", user=USER, password=PASSWORD)
    plan_event = icalendar.Calendar()
    plan_event.add("prodid", "-//t//EN")
    plan_event.add("version", "2.0")
    event = icalendar.Event()
    event.add("uid", "gone@relplan")
    event.add("dtstamp", dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    event.add("dtstart", dt.date(2026, 12, 1))
    plan_event.add_component(event)
    data = plan_event.to_ical()
    calendar.create(EventResource("gone@relplan", data, "x"))
    [remote] = calendar.list_events()
    [same] = calendar.list_events()
    calendar.update(
        remote.handle, EventResource("gone@relplan", data.replace(b"2026", b"2027"), "y")
    )
    with pytest.raises(PublishError) as caught:
        calendar.update(same.handle, EventResource("gone@relplan", data, "x"))  # stale ETag: 412
    assert caught.value.kind == PublishError.REMOTE


def test_keyring_failures_are_publish_errors() -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(BrokenKeyring())
    try:
        with pytest.raises(PublishError) as read:
            password_for("http://x/", "u")
        with pytest.raises(PublishError) as write:
            store_password("http://x/", "u", "p")
    finally:
        keyring.set_keyring(previous)
    assert (read.value.kind, write.value.kind) == (PublishError.KEYRING, PublishError.KEYRING)


def test_password_stdin_needs_a_user_and_a_password(
    db: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["--db", db, "publish", "caldav", "--url", "https://x.example/", "--calendar", "C"]
    assert cli.run([*base, "--password-stdin"]) == 2
    assert capsys.readouterr().err == "relplan: --password-stdin: needs --user\n"
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert cli.run([*base, "--user", "u", "--password-stdin"]) == 2
    assert "standard input held no password" in capsys.readouterr().err


@pytest.mark.parametrize(
    "url", ["http://dav.example.com/", "http://10.0.0.5/dav/", "https://me:pw@dav.example.com/"]
)
def test_a_password_never_goes_over_plain_http_to_another_host(
    db: str,
    url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import relplan.publish.caldav_store as caldav_store

    def no_connection(*args: object, **kwargs: object) -> None:
        raise AssertionError("a connection was attempted")

    monkeypatch.setattr(caldav_store, "DAVClient", no_connection)
    monkeypatch.setattr(sys, "stdin", io.StringIO("secret\n"))
    args = ["--url", url, "--calendar", "C", "--user", "u", "--password-stdin"]
    assert cli.run(["--db", db, "publish", "caldav", *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("relplan: --url: ")
    assert "secret" not in err
    with pytest.raises(ValidationError):
        CaldavCalendar.connect(url, "C", user="u", password="secret")
