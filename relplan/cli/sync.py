"""``relplan connection add|list|test|remove`` and ``relplan sync [NAME ...]``.

Tokens are read from a prompt without echo, or from standard input with ``--token-stdin``, and go
straight to the OS keyring; the workspace keeps only the connection's URL, scope and mapping.
Heavy modules (httpx, the clients) are imported only when a command runs.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from typing import TYPE_CHECKING, Any

# Registers the sync bookkeeping kinds, so that 'relplan undo' can undo a "Sync NAME" command.
import relplan.store.sync_state  # noqa: F401
from relplan.cli.common import open_workspace, out
from relplan.errors import Issue, SyncError, ValidationError

if TYPE_CHECKING:
    from relplan.cli.common import AddCommand
    from relplan.sync.credentials import CredentialStore


def credential_store() -> CredentialStore:
    """The keyring store (tests swap keyring's backend, never this function)."""
    from relplan.sync.credentials import KeyringStore

    return KeyringStore()


def _read_token(args: argparse.Namespace) -> str:
    if args.token_stdin:
        token = sys.stdin.readline().strip()
    else:
        token = getpass.getpass(f"Token for {args.name} (input is hidden): ").strip()
    if not token:
        raise ValidationError([Issue("token", "no token given")])
    return token


def cmd_connection(args: argparse.Namespace) -> int:
    """``relplan connection add|list|test|remove``."""

    action = args.action
    with open_workspace(args, create=action == "add") as ws:
        if action == "list":
            return _list(ws, as_json=args.json)
        if not args.name:
            raise ValidationError([Issue("", f"'connection {action}' needs a NAME")])
        if action == "add":
            return _add(ws, args)
        if action == "test":
            return _test(ws, args.name)
        if action == "set":
            from relplan.cli.push import connection_set

            return connection_set(ws, args)
        return _remove(ws, args.name)


def _add(ws: Any, args: argparse.Namespace) -> int:
    from relplan.store import sync_state
    from relplan.sync import engine
    from relplan.sync.tracker import ConnectionConfig, FieldMapping, normalize_url

    if args.kind is None:
        raise ValidationError([Issue("kind", "give the kind: jira_cloud, jira_dc, azure_boards, "
                                  "github, gitlab, azure_pipelines, jenkins, pagerduty or "
                                  "jira_incidents")])  # fmt: skip
    from relplan.sync.delivery import connections as delivery

    if delivery.is_delivery(args.kind):
        return _add_delivery(ws, args)
    if any(c.name == args.name for c in sync_state.connections(ws.conn)):
        raise ValidationError([Issue("name", f"a connection {args.name!r} exists already")])
    mapping = FieldMapping(
        links=tuple(args.link_type or ()),
        team_from=args.team_from or "",
        release_from=args.release_from or "",
        points_field=args.points_field or "",
        target_field=args.target_field or "",
        start_field=args.start_field or "",
    )
    config = ConnectionConfig(
        name=args.name, kind=args.kind, url=args.url or "", user=args.email or "",
        jql=args.jql or "", wiql=args.wiql or "", project=args.project or "",
        team=args.team or "", mapping=mapping,
    )  # fmt: skip
    config.validate()
    from dataclasses import replace

    config = replace(config, url=normalize_url(config.url))
    engine.add_connection(ws, config, _read_token(args), credential_store())
    out(
        f"added connection {config.name} ({config.kind}, {config.url}); the token is in the keyring"
    )
    return 0


def _add_delivery(ws: Any, args: argparse.Namespace) -> int:
    """``connection add github|gitlab|azure_pipelines|jenkins|pagerduty NAME ...``."""
    from relplan.sync.delivery import connections as delivery

    options = (
        "repo", "project", "job", "user", "service", "issue_type", "incident_label", "workflow",
    )  # fmt: skip
    scope = {k: getattr(args, k, None) for k in options}
    scope["from"] = args.from_connection
    # jira_incidents signs in with the token of the Jira connection it reads through.
    own_token = args.kind != "jira_incidents"
    url = delivery.add_delivery_connection(
        ws, kind=args.kind, name=args.name, url=args.url, team=args.team,
        production=tuple(args.production or ()), scope=scope,
        token=_read_token(args) if own_token else "", store=credential_store(),
    )  # fmt: skip
    where = "the token is in the keyring" if own_token else f"it signs in as {args.from_connection}"
    out(f"added connection {args.name} ({args.kind}, {url}); {where}")
    return 0


def _list(ws: Any, *, as_json: bool) -> int:
    from relplan.store import sync_state
    from relplan.sync.tracker import ConnectionConfig

    rows = sync_state.connections(ws.conn)
    last = {r.connection: r for r in reversed(sync_state.runs(ws.conn, limit=1000))}
    if as_json:
        listed = []
        for r in rows:
            config = ConnectionConfig.from_row(r.name, r.kind, r.url, r.settings)
            run = last.get(r.name)
            listed.append({
                "name": r.name, "kind": r.kind, "url": r.url, "user": config.user,
                "scope": config.jql or config.wiql, "project": config.project, "team": config.team,
                "last_sync": None if run is None else {"at": run.finished, "status": run.status},
            })  # fmt: skip
        out(json.dumps({"connections": listed}, indent=2, ensure_ascii=False))
        return 0
    if not rows:
        out("no connections; add one with 'relplan connection add KIND NAME --url URL ...'")
    for r in rows:
        run = last.get(r.name)
        when = f"last sync {run.finished} ({run.status})" if run else "never synced"
        out(f"{r.name:<16} {r.kind:<13} {r.url}  {when}")
    return 0


def _test(ws: Any, name: str) -> int:
    from relplan.store import sync_state
    from relplan.sync import engine
    from relplan.sync.delivery import connections as delivery

    if delivery.is_delivery(sync_state.connection(ws.conn, name).kind):
        reached = delivery.check(ws, name, credential_store())
        out(f"{name}: signed in, {reached} is readable")
        return 0

    config = engine.load_config(ws, name)
    identity = engine.check_connection(config, credential_store(), None)
    out(f"{name}: signed in to {config.url} as {identity}")
    return 0


def _remove(ws: Any, name: str) -> int:
    from relplan.sync import engine

    engine.remove_connection(ws, name, credential_store())
    out(f"removed connection {name} and its token; synced items stay in the workspace")
    return 0


def cmd_sync(args: argparse.Namespace) -> int:
    """``relplan sync [NAME ...] [--full] [--conflicts] [--resolve ID --keep K [--value V]]``."""
    from relplan.store import sync_state
    from relplan.sync import engine
    from relplan.sync.tracker import Progress

    with open_workspace(args, create=False) as ws:
        if args.conflicts:
            from relplan.sync.conflicts import open_conflicts, show

            for c in open_conflicts(ws):
                out(
                    f"{c.ident}\n    here: {show(c.local)}\n    source: {show(c.remote)}\n"
                    f"    last synced: {show(c.base)}"
                )
            return 0
        if args.resolve:
            changes = engine.resolve_conflict(ws, args.resolve, args.keep, args.value)
            out(f"{changes.label} (undo with 'relplan undo')")
            return 0
        names = engine.names(ws, args.names)
        if not names:
            out("no connections to sync; add one with 'relplan connection add'")
            return 0
        store = credential_store()
        interactive = sys.stderr.isatty()

        def progress(p: Progress) -> None:
            if interactive:
                total = f"/{p.total}" if p.total else ""
                sys.stderr.write(
                    f"\r{p.connection}: {p.phase} {p.items}{total} items, {p.pages} pages "
                )

        from relplan.sync.delivery import connections as delivery

        kinds = {c.name: c.kind for c in sync_state.connections(ws.conn)}
        status = 0
        for name in names:
            if delivery.is_delivery(kinds.get(name, "")):
                try:
                    out(delivery.pull(ws, name, store).summary())
                except SyncError as exc:
                    sys.stderr.write(f"relplan: {name}: sync failed ({exc.kind}): {exc}\n")
                    status = 2
                continue
            try:
                report = engine.run_sync(ws, name, store, progress=progress, full=args.full)
            except SyncError as exc:
                sys.stderr.write(f"\nrelplan: {name}: sync failed ({exc.kind}): {exc}\n")
                status = 2
                continue
            if interactive:
                sys.stderr.write("\n")
            for left in report.interrupted:
                out(f"{name}: the run started at {left.started} was interrupted before it ended")
            undo = " (undo with 'relplan undo')" if not report.changes.empty else ""
            out(report.summary() + undo)
    return status


def register(add: AddCommand) -> None:
    """Add the ``connection`` and ``sync`` sub-commands."""
    p = add(
        "connection",
        cmd_connection,
        "add, list, test or remove Jira / Azure Boards and delivery-tool connections (tokens go "
        "to the OS keyring)",
        "relplan connection add jira_cloud acme --url https://acme.atlassian.net "
        '--email me@acme.com --jql "project = PAY"',
    )
    p.add_argument("action", choices=["add", "list", "test", "remove", "set"])
    p.add_argument("--push", choices=["on", "off"], help="set: write local edits back (push)")
    p.add_argument(
        "--create-releases", choices=["on", "off"],
        help="set: a push also creates a version/iteration for a new local release of a team",
    )  # fmt: skip
    p.add_argument(
        "--iteration-root", metavar="PATH",
        help="set, Azure: the iteration a push creates new iterations under "
        "(e.g. 'Releases\\2026'; '' for the project's root)",
    )  # fmt: skip
    p.add_argument("kind_or_name", nargs="?", metavar="KIND|NAME", help="add: the kind; else NAME")
    p.add_argument("add_name", nargs="?", metavar="NAME", help="add: the connection's name")
    p.add_argument("--url", help="site URL (Jira) or organisation URL (Azure); https only")
    p.add_argument("--email", help="jira_cloud: the account's e-mail")
    p.add_argument("--jql", help="Jira: the scope, e.g. 'project = PAY'")
    p.add_argument("--wiql", help="Azure: a WIQL condition or SELECT query (default: project)")
    p.add_argument("--project", help="Azure: the project; gitlab: ID or path; azure_pipelines")
    p.add_argument("--team", help="Azure: the team whose iterations become releases")
    p.add_argument("--link-type", action="append", help="link types that are dependencies")
    p.add_argument("--team-from", help="Jira: project|field:ID; Azure: area|project|field:REF")
    p.add_argument(
        "--release-from",
        metavar="HOW",
        help="how releases arise: Jira versions (default) | field:FIELD | none; Azure iterations "
        "(default) | field:FIELD | none. field:FIELD: one release per team and distinct value of "
        "FIELD over the items (e.g. field:customfield_10050, field:'Release train', "
        "field:Custom.Release); each item belongs to the release its value names",
    )
    p.add_argument(
        "--target-field",
        metavar="FIELD",
        help="field carrying target dates (Jira id or name, e.g. duedate, customfield_10042, "
        "'Target date'; Azure reference name, e.g. Microsoft.VSTS.Scheduling.TargetDate). "
        "Default: none, releases take the version's releaseDate / iteration's finish date. "
        "Given, a version or iteration without one takes the latest value over its items, and "
        "field releases take their target from it (undated without it)",
    )
    p.add_argument(
        "--start-field",
        metavar="FIELD",
        help="with --release-from field:...: field whose earliest value over the items is the "
        "release's start (Jira id or name; Azure reference name). Default: the items' created "
        "date; 'none': no start",
    )
    p.add_argument("--points-field", help="story-point field id (default: found by name)")
    p.add_argument(
        "--production",
        action="append",
        metavar="ENV",
        help="delivery sources: an environment name that counts as Production (repeatable)",
    )
    p.add_argument("--repo", metavar="OWNER/REPO", help="github: the repository")
    p.add_argument("--job", metavar="PATH", help="jenkins: the job path (folder/job)")
    p.add_argument("--user", metavar="U", help="jenkins: the user of the API token")
    p.add_argument("--service", metavar="ID", help="pagerduty: the service id")
    p.add_argument(
        "--incident-label", metavar="L", help="github: issues with this label are incidents"
    )
    p.add_argument(
        "--workflow", metavar="FILE",
        help="github: completed runs of this Actions workflow (deploy.yml) are the deployments",
    )  # fmt: skip
    p.add_argument(
        "--from", dest="from_connection", metavar="JIRA_CONN",
        help="jira_incidents: the Jira connection to read incidents through",
    )  # fmt: skip
    p.add_argument("--issue-type", metavar="T", help="jira_incidents: the issue type (Incident)")
    p.add_argument("--token-stdin", action="store_true", help="read the token from standard input")
    p.add_argument("--json", action="store_true", help="list: print JSON")
    p.set_defaults(kind=None, name=None)
    p.set_defaults(handler=_dispatch_connection)

    p = add(
        "sync",
        cmd_sync,
        "pull teams, releases, work items and dependencies from the connections (one undoable "
        "change per connection)",
        "relplan sync acme",
    )
    p.add_argument("names", nargs="*", metavar="NAME", help="connections (default: all)")
    p.add_argument("--full", action="store_true", help="fetch everything, not only changes")
    p.add_argument("--conflicts", action="store_true", help="list open conflicts")
    p.add_argument("--resolve", metavar="ID", help="settle the conflict ID (see --conflicts)")
    p.add_argument(
        "--keep", choices=["local", "remote", "edit"], default="local",
        help="local: push it next; remote: take it here; edit: take --value and push it next",
    )  # fmt: skip
    p.add_argument("--value", metavar="V", help="with --keep edit: the new value (empty: none)")


def _dispatch_connection(args: argparse.Namespace) -> int:
    if args.action == "add":
        args.kind, args.name = args.kind_or_name, args.add_name
    else:
        args.name = args.kind_or_name
    return cmd_connection(args)
