"""Per-connection push settings (#14): the Azure iteration root new iterations go under, and the
Jira link POST direction, saved once a push found it out."""

from __future__ import annotations

import pytest

from relplan.errors import ValidationError
from relplan.store.workspace import Workspace
from relplan.sync import engine, push_create, push_links
from tests.e2e.test_push_jira import run as run_jira
from tests.e2e.test_push_jira import synced as synced
from tests.e2e.test_push_links_jira import blocks, depend, link_writes
from tests.e2e.test_sync_jira import jira as jira
from tests.e2e.test_sync_jira import ws as ws
from tests.helpers.fake_jira import FakeJira
from tests.helpers.memory_keyring import memory_keyring_fixture  # noqa: F401

pytestmark = pytest.mark.e2e
__all__ = ["synced"]


@pytest.mark.parametrize(
    "given",
    ["Releases\\2026", "Releases/2026", "Fabrikam\\Releases\\2026",
     "\\Fabrikam\\Iteration\\Releases\\2026", " /Releases/ 2026/ "],
)  # fmt: skip
def test_iteration_root_takes_every_path_form(given: str) -> None:
    assert push_create.normalize_root("Fabrikam", given) == "Releases\\2026"
    assert push_create.normalize_root("Fabrikam", "\\Fabrikam\\Iteration") == ""


def test_iteration_root_is_refused_for_jira(synced: Workspace) -> None:
    with pytest.raises(ValidationError, match="not an Azure Boards connection"):
        push_create.set_iteration_root(synced, "jira", "Releases")


def test_the_link_direction_is_found_once_then_saved(synced: Workspace, jira: FakeJira) -> None:
    from tests.e2e.test_push_jira import enable

    enable(synced)
    jira.link_post_mirrored = True  # a Data Center tenant reading the POST the other way
    assert engine.load_config(synced, "jira").link_direction == ""
    depend(synced, "EE-3", "EE-1")
    assert len(run_jira(synced).written) == 1
    assert engine.load_config(synced, "jira").link_direction == push_links.MIRRORED
    first = link_writes(jira)
    assert [w[0] for w in first] == ["POST", "DELETE", "POST"]  # probe, undo, right way
    depend(synced, "EE-3", "EE-2")
    assert len(run_jira(synced).written) == 1
    # The next push starts with the saved direction: one POST, no wrong-way link to undo.
    assert [w[0] for w in link_writes(jira)[len(first) :]] == ["POST"]
    assert blocks(jira, "EE-3") == ["EE-1", "EE-2"]
    assert engine.load_config(synced, "jira").push  # the other settings are kept


def test_cloud_direction_is_saved_too(synced: Workspace, jira: FakeJira) -> None:
    from tests.e2e.test_push_jira import enable

    enable(synced)
    depend(synced, "EE-3", "EE-1")
    run_jira(synced)
    assert engine.load_config(synced, "jira").link_direction == push_links.INWARD_BLOCKS
    assert [w[0] for w in link_writes(jira)] == ["POST"]
