"""Pure parts of sync: merge, retry policy, URLs, connections, credentials, cancel, pools."""

from __future__ import annotations

import datetime as dt
import doctest
import threading

import httpx
import keyring.backends.fail
import pytest

from relplan.domain.model import Dependency, Release, Team, WorkItem
from relplan.errors import Cancelled, CredentialError, SyncError, ValidationError
from relplan.store.entities import dependency_key_of
from relplan.sync import azure, http, jira, mapping, merge, ratelimit
from relplan.sync.credentials import KeyringStore, require_secret
from relplan.sync.parallel import Counter, run_all
from relplan.sync.ratelimit import RetryPolicy, parse_retry_after
from relplan.sync.tracker import (
    CancelToken,
    ConnectionConfig,
    FieldMapping,
    Progress,
    normalize_url,
)
from tests.helpers.memory_keyring import MemoryKeyring


@pytest.mark.parametrize("module", [azure, http, jira, mapping, merge, ratelimit])
def test_doctests(module: object) -> None:
    result = doctest.testmod(module)  # type: ignore[arg-type]
    assert result.attempted > 0
    assert result.failed == 0


# -- merge --------------------------------------------------------------------------------------
def test_merge_takes_source_changes_and_keeps_local_ones() -> None:
    base = {"title": "A", "status": "To Do", "points": 1}
    local = {"title": "A (mine)", "status": "To Do", "points": 1}
    remote = {"title": "A", "status": "Done", "points": 1}
    assert merge.merge(local, remote, base) == (
        {"title": "A (mine)", "status": "Done", "points": 1},
        [],
    )


def test_merge_conflict_keeps_local() -> None:
    kept, conflicts = merge.merge({"x": 2}, {"x": 3}, {"x": 1})
    assert kept == {"x": 2}
    assert conflicts == [("x", 2, 3)]
    # Both sides made the same change: no conflict.
    assert merge.merge({"x": 3}, {"x": 3}, {"x": 1}) == ({"x": 3}, [])


def test_merge_deleted_here() -> None:
    assert merge.merge(None, {"x": 1}, {"x": 1}) == (None, [])
    assert merge.merge(None, {"x": 2}, {"x": 1}) == (None, [("*", None, {"x": 2})])


def test_merge_first_link_keeps_local_and_lists_differences() -> None:
    assert merge.merge({"x": 1, "y": 2}, {"x": 1, "y": 3}, None) == (
        {"x": 1, "y": 2},
        [("y", 2, 3)],
    )


def test_build_keeps_local_only_parts() -> None:
    release = Release("R", "Rel", "T", train="Q4", start=dt.date(2026, 1, 1))
    fields = merge.fields_of("release", release) | {"target": "2026-02-01"}
    built = merge.build("release", "R", fields, release)
    assert built.train == "Q4"
    assert built.target == dt.date(2026, 2, 1)
    assert merge.build("team", "T", {"name": "Team"}, Team("T", "x", "#fff")).color == "#fff"
    item = merge.build(
        "work_item",
        "I",
        {
            "title": "t",
            "created": "2026-01-01T00:00:00+00:00",
            "type": "Bug",
            "status": "New",
            "category": "todo",
        },
    )
    assert isinstance(item, WorkItem)
    assert item.created == dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    key = dependency_key_of("item:A->x", "item:B")  # a separator in an end stays in it
    assert merge.build("dependency", key, {"type": "FS", "lag_days": 0}) == Dependency(
        "item:A->x", "item:B"
    )


# -- retries ------------------------------------------------------------------------------------
def test_retry_policy_is_bounded() -> None:
    policy = RetryPolicy(max_retries=3, base_delay_s=1, max_delay_s=10)
    delays = [policy.delay(n, None, 0.999) for n in range(4)]
    assert delays[-1] is None
    assert all(d is not None and d <= 10 for d in delays[:-1])
    assert policy.delay(0, 11.0, 0.5) is None  # a Retry-After beyond the cap gives up
    assert policy.should_retry(429)
    assert policy.should_retry(503)
    assert not policy.should_retry(404)
    assert parse_retry_after("", dt.datetime.now(dt.UTC)) is None
    assert parse_retry_after("-3", dt.datetime.now(dt.UTC)) == 0.0


# -- HTTP details -------------------------------------------------------------------------------
def test_error_text_reads_both_vendors() -> None:
    jira_body = httpx.Response(400, json={"errorMessages": ["bad JQL"], "errors": {"jql": "x"}})
    assert http._error_text(jira_body) == "bad JQL; jql: x"
    bom = httpx.Response(503, content="\ufeff".encode() + b'{"message": "TF24668: stopped"}')
    assert http._error_text(bom) == "TF24668: stopped"
    html = httpx.Response(
        203, content=b"<html>sign in</html>", headers={"content-type": "text/html"}
    )
    assert http._error_text(html) == ""


def test_sync_error_kinds() -> None:
    assert SyncError("AUTH", "x").kind == "AUTH"
    with pytest.raises(ValueError, match="unknown"):
        SyncError("NOPE", "x")


# -- URLs and connections -----------------------------------------------------------------------
@pytest.mark.parametrize(
    "url", ["http://localhost:8080/", "http://127.0.0.1:1", "http://[::1]:5", "https://a.b/jira"]
)
def test_allowed_urls(url: str) -> None:
    assert not normalize_url(url).endswith("/")


@pytest.mark.parametrize(
    "url",
    ["http://example.com", "http://192.168.1.2", "https://u:p@a.b", "file:///x", "https://a.b?x=1"],
)
def test_refused_urls(url: str) -> None:
    with pytest.raises(ValidationError):
        normalize_url(url)


def test_connection_round_trip_and_validation() -> None:
    config = ConnectionConfig(
        "ado", "azure_boards", "https://dev.azure.com/o", project="P", team="T",
        mapping=FieldMapping(links=("System.LinkTypes.Related",), states={"Review": "done"}),
    )  # fmt: skip
    again = ConnectionConfig.from_row("ado", config.kind, config.url, config.settings_json())
    assert again == config
    assert again.links == ("System.LinkTypes.Related",)
    assert config.credential_key == "azure_boards:https://dev.azure.com/o:"
    with pytest.raises(ValidationError) as info:
        ConnectionConfig("a|b", "jira_cloud", "http://x.com").validate()
    assert {i.path for i in info.value.issues} == {"name", "url", "email", "jql"}
    assert ConnectionConfig("j", "jira_dc", "https://j").links == ("Blocks",)


# -- credentials --------------------------------------------------------------------------------
def test_keyring_store_round_trip(memory_keyring: MemoryKeyring) -> None:
    store = KeyringStore()
    store.set("jira_dc:https://j:", "pat")
    assert memory_keyring.secrets == {("relplan", "jira_dc:https://j:"): "pat"}
    assert store.get("jira_dc:https://j:") == "pat"
    store.delete("jira_dc:https://j:")
    store.delete("jira_dc:https://j:")
    with pytest.raises(CredentialError, match="no token for connection 'x'"):
        require_secret(store, "jira_dc:https://j:", "x")
    with pytest.raises(CredentialError):
        store.set("k", "")


def test_unusable_backends_are_refused_with_a_hint() -> None:
    with pytest.raises(CredentialError) as info:
        KeyringStore(keyring.backends.fail.Keyring()).get("k")
    assert "never falls back to a file" in info.value.hint

    class Plaintext(MemoryKeyring):
        pass

    Plaintext.__module__ = "keyrings.alt.file"
    with pytest.raises(CredentialError, match="keeps secrets in a file"):
        KeyringStore(Plaintext()).set("k", "v")


def test_keyring_errors_become_credential_errors() -> None:
    class Locked(MemoryKeyring):
        def get_password(self, service: str, username: str) -> str | None:
            raise keyring.errors.KeyringLocked("locked")

    with pytest.raises(CredentialError, match="could not be read"):
        KeyringStore(Locked()).get("k")


# -- cancel and pools ---------------------------------------------------------------------------
def test_cancel_token() -> None:
    token = CancelToken()
    token.sleep(0)
    threading.Timer(0.05, token.cancel).start()
    with pytest.raises(Cancelled):
        token.sleep(5)
    with pytest.raises(Cancelled):
        token.raise_if_cancelled()


def test_run_all_keeps_order_and_raises_the_first_failure() -> None:
    token = CancelToken()
    assert run_all(lambda n: n * 2, range(20), workers=4, cancel=token) == [
        n * 2 for n in range(20)
    ]

    def boom(n: int) -> int:
        if n == 3:
            raise SyncError("REMOTE", "page 3")
        return n

    with pytest.raises(SyncError, match="page 3"):
        run_all(boom, range(10), workers=4, cancel=token)


def test_counter_reports_progress() -> None:
    seen: list[Progress] = []
    counter = Counter(seen.append, "c")
    counter.start("items", 10)
    counter.add(items=4)
    assert seen[-1] == Progress("c", "items", 1, 4, 10)
