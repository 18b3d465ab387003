"""The ``relplan-workspace`` JSON format (shared/spec/workspace-format.md): read and write.

:func:`parse_workspace` checks a whole document and either returns a :class:`Plan` or raises one
:class:`ValidationError` that lists every problem with its JSON path, so that an import is all or
nothing.
"""

from __future__ import annotations

import itertools
import json
import zoneinfo
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any, Final

from relplan.domain import bounds, codec, codec_fast, lifecycle_codec
from relplan.domain.model import ITEM_PREFIX, RELEASE_PREFIX, Plan
from relplan.formats import import_rows
from relplan.formats.strict_json import parse_json_text as parse_json_text
from relplan.formats.strict_json import read_json_file as read_json_file

FORMAT_NAME: Final = "relplan-workspace"
FORMAT_VERSION: Final = 1
_SECTIONS: Final = (
    "teams", "environments", "trains", "releases", "freezes", "work_items", "dependencies",
    "deployments",
)  # fmt: skip
#: Sections of the release lifecycle, written only when they hold something.
_LIFECYCLE_SECTIONS: Final = ("templates", "flags")
_TOP_KEYS: Final = ("format", "version", "timezone", *_SECTIONS, *_LIFECYCLE_SECTIONS)


@dataclass(frozen=True, slots=True)
class KnownKeys:
    """Keys that already exist in the workspace an import goes into, so references may use them."""

    teams: frozenset[str] = frozenset()
    environments: frozenset[str] = frozenset()
    trains: frozenset[str] = frozenset()
    releases: frozenset[str] = frozenset()
    work_items: frozenset[str] = frozenset()


# Where an object stands: (section, index); spelled out as a JSON path only for a message.
At = tuple[str, int]


def _at(p: At, suffix: str = "") -> str:
    return f"{p[0]}[{p[1]}]{suffix}"


@dataclass(frozen=True, slots=True)
class _Section:
    """The objects of one section that could be read, with their places in it."""

    name: str
    places: Sequence[int]
    objects: list[Any]

    def __iter__(self) -> Iterator[tuple[At, Any]]:
        name = self.name
        return (((name, i), obj) for i, obj in zip(self.places, self.objects, strict=True))


@dataclass(slots=True)
class _Index:
    keys: dict[str, set[str]] = field(default_factory=dict)

    def add(self, dec: codec.Decoder, kind: str, key: str, p: At, suffix: str, what: str) -> None:
        seen = self.keys.setdefault(kind, set())
        if key in seen:
            dec.error(_at(p, suffix), f"duplicate {what} {bounds.echo(key)}")
        seen.add(key)

    def add_all(
        self,
        dec: codec.Decoder,
        kind: str,
        section: _Section,
        keys: list[str],
        suffix: str,
        what: str,
    ) -> None:
        """:meth:`add` of every object of ``section`` (``keys`` in its order): one set when no
        key repeats, the object by object messages otherwise."""
        unique = set(keys)
        if len(unique) == len(keys) and kind not in self.keys:
            self.keys[kind] = unique
            return
        for (p, _), key in zip(section, keys, strict=True):
            self.add(dec, kind, key, p, suffix, what)


def parse_workspace(document: Any, *, known: KnownKeys | None = None, source: str = "") -> Plan:
    """Check a parsed workspace document and build its :class:`Plan`.

    Args:
        document: the parsed JSON.
        known: keys of the workspace being imported into, which references may name.
        source: the file name, for messages.

    Raises:
        ValidationError: every problem found, each with its JSON path.
    """
    return _parse(document, known or KnownKeys(), source, rows=False)[0]


#: Table rows of the sections read as rows, by entity (``work_item``, ``dependency``).
SectionRows = dict[str, list[tuple[Any, ...]]]


def parse_for_import(
    document: Any, *, known: KnownKeys | None = None, source: str = ""
) -> tuple[Plan, SectionRows]:
    """:func:`parse_workspace`, but the work items and dependencies come as table rows.

    The same checks and messages; a section with a problem is read as objects, for its
    messages. The plan holds no work items (dependencies) when their rows are given.

    Raises:
        ValidationError: every problem found, each with its JSON path.
    """
    return _parse(document, known or KnownKeys(), source, rows=True)


def _parse(document: Any, known: KnownKeys, source: str, *, rows: bool) -> tuple[Plan, SectionRows]:
    """:func:`parse_workspace`, with :func:`parse_for_import`'s rows when ``rows``."""
    dec = codec.Decoder()
    top = dec.obj(document, "", _TOP_KEYS)
    if top is None:
        dec.raise_if_any(source=source)
        raise AssertionError("unreachable: obj() recorded an issue")
    if top.get("format") != FORMAT_NAME:
        dec.error("format", f"found {bounds.echo(top.get('format'))}, expected {FORMAT_NAME!r}")
    version = top.get("version")
    if type(version) is not int or version != FORMAT_VERSION:
        dec.error("version", f"found {bounds.echo(version)}, expected {FORMAT_VERSION}")
    timezone = top.get("timezone", "UTC")
    if not isinstance(timezone, str) or not _valid_zone(timezone):
        dec.error("timezone", f"found {bounds.echo(timezone)}, expected an IANA time zone name")
        timezone = "UTC"

    # Keys of objects that had errors of their own still count as present, so that one bad
    # release does not also make every reference to it an error.
    rejected: dict[str, set[str]] = {}

    def section(name: str, read: Callable[[object, str], Any]) -> _Section:
        values = top.get(name, [])
        if values is None:
            return _Section(name, (), [])
        if not isinstance(values, list):
            dec.error(name, f"expected a list, found {type(values).__name__}")
            return _Section(name, (), [])
        fast = codec_fast.FAST_READERS.get(name)
        quick: list[Any] = [None] * len(values) if fast is None else list(map(fast, values))
        if fast is not None and all(obj is not None for obj in quick):
            return _Section(name, range(len(quick)), quick)
        places, good = [], []
        for i, (v, obj) in enumerate(zip(values, quick, strict=True)):
            # Paths are only spelled out when there is something to say about the object.
            if obj is None:
                obj = read(v, f"{name}[{i}]")
            if obj is not None:
                places.append(i)
                good.append(obj)
            elif isinstance(v, dict) and isinstance(key := v.get("key", v.get("name")), str):
                rejected.setdefault(name, set()).add(key)
        return _Section(name, places, good)

    def row_section(name: str) -> list[tuple[Any, ...]] | None:
        values = top.get(name, [])
        return import_rows.ROW_READERS[name](values) if rows and type(values) is list else None

    teams = section("teams", dec.team)
    envs = section("environments", dec.environment)
    trains = section("trains", dec.train)
    releases = section("releases", dec.release)
    freezes = section("freezes", dec.freeze)
    # Rows stand only when the whole kind is clean: unique keys, known references (below).
    item_rows = row_section("work_items")
    item_key_set = set(map(_FIRST, item_rows or ()))
    if item_rows is not None and len(item_key_set) != len(item_rows):
        item_rows = None
    items = _Section("work_items", (), []) if item_rows else section("work_items", dec.work_item)
    dep_rows = row_section("dependencies")
    if dep_rows is not None and not _unique(map(_ENDS, dep_rows)):
        dep_rows = None
    deps = _Section("dependencies", (), []) if dep_rows else section("dependencies", dec.dependency)
    deployments = section("deployments", dec.deployment)
    templates = section("templates", lambda v, p: lifecycle_codec.read_template(dec, v, p))
    flags = section("flags", lambda v, p: lifecycle_codec.read_flag(dec, v, p))

    # Each kind is checked as a whole first (sets, at C speed: a large plan has 250,000 items
    # and dependencies); only a kind with a problem is walked object by object for its messages.
    index = _Index()
    for p, t in teams:
        index.add(dec, "team", t.key, p, ".key", "team key")
    for p, e in envs:
        index.add(dec, "environment", e.name, p, ".name", "environment name")
    for p, t in trains:
        index.add(dec, "train", t.key, p, ".key", "train key")
    for p, r in releases:
        index.add(dec, "release", r.key, p, ".key", "release key")
    for p, f in freezes:
        index.add(dec, "freeze", f.name, p, ".name", "freeze name")
    if item_rows:
        index.keys["item"] = item_key_set
    else:
        item_keys_list = [i.key for i in items.objects]
        index.add_all(dec, "item", items, item_keys_list, ".key", "work item key")
    if not dep_rows:  # rows: checked above, and no message can name a dependency
        idents = [f"{d.from_ref} -> {d.to_ref}" for d in deps.objects]
        index.add_all(dec, "dependency", deps, idents, "", "dependency")
    for p, d in deployments:
        ident = f"{d.release} to {d.environment} finished {d.finished.isoformat()}"
        index.add(dec, "deployment", ident, p, "", "deployment of")
    for p, t in templates:
        index.add(dec, "template", t.key, p, ".key", "template key")
    for p, fl in flags:
        index.add(dec, "flag", fl.key, p, ".key", "flag key")

    def known_set(kind: str, section: str, extra: frozenset[str]) -> set[str]:
        return index.keys.get(kind, set()) | rejected.get(section, set()) | extra

    team_keys = known_set("team", "teams", known.teams)
    env_names = known_set("environment", "environments", known.environments)
    train_keys = known_set("train", "trains", known.trains)
    release_keys = known_set("release", "releases", known.releases)
    item_keys = known_set("item", "work_items", known.work_items)

    def ref(p: At, suffix: str, value: str | None, pool: Iterable[str], what: str) -> None:
        if value is not None and value not in pool:
            dec.error(_at(p, suffix), f"unknown {what} {bounds.echo(value)}")

    for p, r in releases:
        ref(p, ".team", r.team, team_keys, "team")
        ref(p, ".train", r.train, train_keys, "train")
        for i, s in enumerate(r.stages):
            ref(p, f".stages[{i}].environment", s.environment, env_names, "environment")
        for i, g in enumerate(r.gates):
            ref(p, f".gates[{i}].environment", g.environment, env_names, "environment")
    for p, f in freezes:
        for i, env in enumerate(f.environments):
            ref(p, f".environments[{i}]", env, env_names, "environment")
        for i, team in enumerate(f.teams):
            ref(p, f".teams[{i}]", team, team_keys, "team")
    if item_rows and not _all_known(
        map(_ITEM_TEAM, item_rows), map(_ITEM_RELEASE, item_rows), team_keys, release_keys
    ):
        item_rows = None  # the objects, for the messages
        items = section("work_items", dec.work_item)
    if not item_rows and not _all_known(
        (i.team for i in items.objects), (i.release for i in items.objects), team_keys,
        release_keys,
    ):  # fmt: skip
        for p, it in items:
            ref(p, ".team", it.team, team_keys, "team")
            ref(p, ".release", it.release, release_keys, "release")
    if dep_rows and not _ends_known(
        map(_FIRST, dep_rows), map(_SECOND, dep_rows), release_keys, item_keys
    ):
        dep_rows = None  # the objects, for the messages
        deps = section("dependencies", dec.dependency)
    if not dep_rows and not _ends_known(
        (d.from_ref for d in deps.objects), (d.to_ref for d in deps.objects), release_keys,
        item_keys,
    ):  # fmt: skip
        for p, d in deps:
            for suffix, end in ((".from", d.from_ref), (".to", d.to_ref)):
                if end.startswith(RELEASE_PREFIX):
                    ref(p, suffix, end.removeprefix(RELEASE_PREFIX), release_keys, "release")
                else:
                    ref(p, suffix, end.removeprefix(ITEM_PREFIX), item_keys, "work item")
    for p, d in deployments:
        ref(p, ".release", d.release, release_keys, "release")
        ref(p, ".environment", d.environment, env_names, "environment")
    for p, fl in flags:
        ref(p, ".release", fl.release, release_keys, "release")
        ref(p, ".environment", fl.environment, env_names, "environment")

    dec.raise_if_any(source=source)
    found: SectionRows = {}
    if item_rows is not None:
        found["work_item"] = item_rows
    if dep_rows is not None:
        found["dependency"] = dep_rows
    plan = Plan(
        timezone=timezone,
        teams=tuple(t for _, t in teams),
        environments=tuple(e for _, e in envs),
        trains=tuple(t for _, t in trains),
        releases=tuple(r for _, r in releases),
        freezes=tuple(f for _, f in freezes),
        work_items=tuple(items.objects),
        dependencies=tuple(deps.objects),
        deployments=tuple(d for _, d in deployments),
        templates=tuple(t for _, t in templates),
        flags=tuple(f for _, f in flags),
    )
    return plan, found


_FIRST = itemgetter(0)
_SECOND = itemgetter(1)
_ENDS = itemgetter(0, 1)
_ITEM_TEAM = itemgetter(2)
_ITEM_RELEASE = itemgetter(3)


def _unique(keys: Iterable[Hashable]) -> bool:
    """Whether no key repeats."""
    seen = list(keys)
    return len(set(seen)) == len(seen)


def _all_known(
    named_teams: Iterable[str | None],
    named_releases: Iterable[str | None],
    teams: set[str],
    releases: set[str],
) -> bool:
    """Whether every team and release the items name is known (then no item has a message)."""
    team_set, release_set = set(named_teams), set(named_releases)
    team_set.discard(None)
    release_set.discard(None)
    return team_set <= teams and release_set <= releases


def _ends_known(
    froms: Iterable[str], tos: Iterable[str], releases: set[str], items: set[str]
) -> bool:
    """Whether every end of the dependencies is a ``release:KEY`` or ``item:KEY`` of a known
    key (then no dependency has a message about its ends)."""
    ends = set(froms)
    ends.update(tos)
    if not ends:
        return True
    known = set(map(RELEASE_PREFIX.__add__, releases))
    known.update(map(ITEM_PREFIX.__add__, items))
    return ends <= known


def _valid_zone(name: str) -> bool:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


def encode_plan(
    plan: Plan,
    *,
    work_items: list[dict[str, Any]] | None = None,
    dependencies: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The workspace document of ``plan``, with every list in the format's stable order.

    Args:
        plan: The plan.
        work_items: The work items' JSON dicts by key, instead of the plan's (a workspace
            encodes its rows, :func:`relplan.formats.workspace_io.export_file`).
        dependencies: The dependencies' JSON dicts by from and to, instead of the plan's.
    """
    document: dict[str, Any] = {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "timezone": plan.timezone,
        "teams": [codec.encode_team(t) for t in sorted(plan.teams, key=lambda t: t.key)],
        "environments": [
            codec.encode_environment(e)
            for e in sorted(plan.environments, key=lambda e: (e.order, e.name))
        ],
        "trains": [codec.encode_train(t) for t in sorted(plan.trains, key=lambda t: t.key)],
        "releases": [codec.encode_release(r) for r in sorted(plan.releases, key=lambda r: r.key)],
        "freezes": [
            codec.encode_freeze(f) for f in sorted(plan.freezes, key=lambda f: (f.start, f.name))
        ],
        "work_items": work_items
        if work_items is not None
        else [codec.encode_work_item(i) for i in sorted(plan.work_items, key=lambda i: i.key)],
        "dependencies": dependencies
        if dependencies is not None
        else [
            codec.encode_dependency(d)
            for d in sorted(plan.dependencies, key=lambda d: (d.from_ref, d.to_ref))
        ],
        "deployments": [
            codec.encode_deployment(d)
            for d in sorted(plan.deployments, key=lambda d: (d.finished, d.release, d.environment))
        ],
    }
    if plan.templates:
        document["templates"] = [
            lifecycle_codec.encode_template(t) for t in sorted(plan.templates, key=lambda t: t.key)
        ]
    if plan.flags:
        document["flags"] = [
            lifecycle_codec.encode_flag(f) for f in sorted(plan.flags, key=lambda f: f.key)
        ]
    return document


def dump_plan(plan: Plan) -> str:
    """The workspace document of ``plan`` as JSON text (UTF-8, indented, newline at the end)."""
    return "".join(iter_plan(plan))


def iter_plan(
    plan: Plan,
    *,
    work_items: list[dict[str, Any]] | None = None,
    dependencies: list[dict[str, Any]] | None = None,
) -> Iterator[str]:
    """:func:`dump_plan` in pieces (one per section), to write without one big string
    (``work_items`` and ``dependencies`` as for :func:`encode_plan`)."""
    document = encode_plan(plan, work_items=work_items, dependencies=dependencies)
    if not document:
        yield "{}\n"
        return
    ending = ",\n"
    for n, (key, value) in enumerate(document.items()):
        start = "{\n" + _STEP if n == 0 else _STEP
        if n == len(document) - 1:
            ending = "\n}\n"
        yield f"{start}{json.dumps(key, ensure_ascii=False)}: "
        yield dumps_indented(value, 1)
        yield ending


_STEP: Final = "  "
_encoders: dict[int, Callable[[object], str]] = {}


def _flat_encoder(depth: int) -> Callable[[object], str]:
    """The C encoder laying out the items of a container at ``depth`` one per line."""
    encoder = _encoders.get(depth)
    if encoder is None:
        item_separator = ",\n" + _STEP * (depth + 1)
        make = getattr(json.encoder, "c_make_encoder", None)
        if make is None:  # no C accelerator: json's own (slower) path gives the same text
            encoder = json.JSONEncoder(ensure_ascii=False, separators=(item_separator, ": ")).encode
        else:
            # What JSONEncoder.encode builds on every call, built once: that setup cost
            # more than the encoding for the many small containers of a plan.
            chunks = make(
                None, None, json.encoder.encode_basestring, None, ": ", item_separator,
                False, False, True,
            )  # fmt: skip
            encoder = lambda value: "".join(chunks(value, 0))  # noqa: E731
        _encoders[depth] = encoder
    return encoder


def _flat(value: dict[str, Any] | list[Any]) -> bool:
    """Whether no item of ``value`` is a non-empty container."""
    items = value.values() if isinstance(value, dict) else value
    return not any(isinstance(v, (dict, list)) and v for v in items)


def _flat_objects(value: list[Any]) -> bool:
    """Whether ``value`` holds only non-empty dicts of scalars (and empty containers)."""
    if not all(type(v) is dict for v in value) or not all(value):
        return False
    # The value types counted at C speed; only lists that hold containers are walked.
    types = set(map(type, itertools.chain.from_iterable(v.values() for v in value)))
    if not types & {dict, list}:
        return True
    return all(_flat(v) for v in value)


def dumps_indented(value: Any, depth: int = 0) -> str:
    """``json.dumps(value, indent=2, ensure_ascii=False)``, byte for byte, but fast.

    An indent turns json's C encoder off (the pure-Python one took most of a large export).
    Here the C encoder writes each container whose items are scalars (a team, a dependency),
    its items on their own lines through the item separator, and a list of such objects (the
    100,000 work items) in one call, whose object boundaries are then re-indented: JSON strings
    never hold a raw newline, so every newline in the C encoder's text is a separator. Only the
    few containers above them are walked in Python.

    Args:
        value: Plain JSON data (dicts with string keys, lists, scalars).
        depth: The nesting level of ``value`` (for its items' indentation).

    Examples:
        >>> data = {"a": [1, {"b": []}], "c": {}, "d": [{"e": 1}, {"f": [], "g": "},"}]}
        >>> dumps_indented(data) == json.dumps(data, indent=2, ensure_ascii=False)
        True
    """
    if not isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    if not value:
        return "{}" if isinstance(value, dict) else "[]"
    outer, inner = _STEP * depth, _STEP * (depth + 1)
    if _flat(value):
        text = _flat_encoder(depth)(value)
        return f"{text[0]}\n{inner}{text[1:-1]}\n{outer}{text[-1]}"
    if isinstance(value, list) and _flat_objects(value):
        deeper = _STEP * (depth + 2)
        text = _flat_encoder(depth + 1)(value)  # '[{"a": 1,\n<deeper>"b": 2},\n<deeper>{...}]'
        body = text[2:-2].replace(f"}},\n{deeper}{{", f"\n{inner}}},\n{inner}{{\n{deeper}")
        return f"[\n{inner}{{\n{deeper}{body}\n{inner}}}\n{outer}]"
    if isinstance(value, dict):
        parts = [
            f"{json.dumps(k, ensure_ascii=False)}: {dumps_indented(v, depth + 1)}"
            for k, v in value.items()
        ]
        opening, closing = "{", "}"
    else:
        parts = [dumps_indented(v, depth + 1) for v in value]
        opening, closing = "[", "]"
    joined = f",\n{inner}".join(parts)
    return f"{opening}\n{inner}{joined}\n{outer}{closing}"


def document_counts(plan: Plan) -> Mapping[str, int]:
    """How many objects of each section ``plan`` holds."""
    counts = {name: len(getattr(plan, name)) for name in _SECTIONS}
    counts.update((n, len(getattr(plan, n))) for n in _LIFECYCLE_SECTIONS if getattr(plan, n))
    return counts
