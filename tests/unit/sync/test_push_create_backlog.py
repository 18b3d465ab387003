"""Creating an Azure iteration for a team with no backlog iteration (W.5, TF400497)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from relplan.domain.model import Release
from relplan.errors import SyncError
from relplan.sync import push_create

ROOT = "11111111-2222-3333-4444-555555555555"
NODE = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"


class _Http:
    """Answers like a new team: the first add fails with TF400497 until the backlog is set."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, Any]] = []
        self.backlog_set = False

    def get(self, path: str, **_: Any) -> Any:
        self.calls.append(("GET", path, None))
        if path.endswith("Iterations/R9"):
            raise SyncError(SyncError.REMOTE, "not found", status=404, url=path)
        return {"id": 1, "identifier": ROOT, "name": "Proj"}

    def post(self, path: str, body: Any, **_: Any) -> Any:
        self.calls.append(("POST", path, body))
        if path.endswith("teamsettings/iterations"):
            if not self.backlog_set:
                raise SyncError(
                    SyncError.REMOTE,
                    f"{path}: HTTP 400: TF400497: The backlog iteration path that you "
                    "specified is no longer valid.",
                    status=400,
                    url=path,
                )
            return {"id": NODE, "name": "R9", "path": "Proj\\R9", "attributes": {}}
        return {"id": 9, "identifier": NODE, "name": "R9"}

    def request(self, method: str, path: str, *, body: Any = None, **_: Any) -> Any:
        self.calls.append((method, path, body))
        self.backlog_set = True
        return {}


def test_tf400497_sets_the_backlog_iteration_to_the_root_then_adds_again() -> None:
    http = _Http()
    config = SimpleNamespace(project="Proj", team="Team A", kind="azure_boards", iteration_root="")
    ctx = push_create.CreateContext(http, "Proj", config, "az")  # type: ignore[arg-type]
    change = SimpleNamespace(remote_object="iteration R9", key="r9")
    team = SimpleNamespace(source_id="t1", key="team-a", source_key="Team A")
    release = Release("r9", "R9", "team-a")
    push_create._create_iteration(ctx, change, release, team, write=True)  # type: ignore[arg-type]
    patches = [c for c in http.calls if c[0] == "PATCH"]
    assert patches == [
        ("PATCH", "Proj/Team%20A/_apis/work/teamsettings", {"backlogIteration": ROOT})
    ]
    adds = [c for c in http.calls if c[1].endswith("teamsettings/iterations")]
    assert len(adds) == 2
    assert adds[-1][2] == {"id": NODE}
