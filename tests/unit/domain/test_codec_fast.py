"""The fast readers of releases and deployments (relplan/domain/codec_fast.py, issue #12).

A fast reader may refuse anything (the full reader then reads it), but what it accepts must be
accepted by :class:`relplan.domain.codec.Decoder` without an issue, as an equal object. Hypothesis
draws valid objects (which the fast reader must take), valid objects with one field broken (which
both must refuse), and objects of mixed fields (which must agree whenever the fast one accepts).
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from relplan.demo import generate
from relplan.domain import bounds, codec, codec_fast
from relplan.domain.model import (
    DEPLOYMENT_OUTCOMES,
    GATE_KINDS,
    GATE_STATUSES,
    RELEASE_STATUSES,
    STAGE_STRATEGIES,
)

SOME = settings(max_examples=300, deadline=None, database=None)
REMOVE = object()  # as a drawn value: the field is left out

# -- value pools: OK (the fast reader takes them), BAD (the full reader refuses them), ANY (either:
# edges the fast reader leaves to the full one) ---------------------------------------------------
NAME_OK = st.one_of(
    st.sampled_from(["Payments 2026.12", "café – ✓", "a\tb\nc", "t" * 255, "x", " padded "]),
    st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=20).filter(
        str.strip
    ),
)
NAME_BAD = st.sampled_from(
    ["", "   ", "\n", "t" * 256, "bell\x07", "esc\x1b[31m", "nel\x85", "lone \ud800", None, 3,
     1.5, True, ["x"], {"a": 1}, REMOVE]
)  # fmt: skip
KEY_OK = st.one_of(
    st.sampled_from(["PAY-2026.12", "K" * 100, "a b", "ü", "A-B>C", "x"]),
    st.from_regex(r"\A[A-Za-z0-9][A-Za-z0-9 ._-]{0,20}[A-Za-z0-9]\Z"),
)
KEY_BAD = st.sampled_from(
    ["", " PAY", "PAY ", "PAY\u00a0", "\u2003PAY", "A|B", "A->B", "K" * 101, "PAY\x07",
     "PAY\x85", "\ud800", "a\nb", 5, None, ["PAY"], REMOVE]
)  # fmt: skip
OPT_TEXT_OK = st.one_of(st.none(), NAME_OK, st.sampled_from(["", "   ", "bell\x07", "c" * 2000]))
OPT_TEXT_BAD = st.sampled_from([3, 0, False, ["x"], {"a": "b"}, "c" * 2001, "lone \udfff"])
DAYS = st.one_of(
    st.sampled_from([bounds.MIN_DAY, bounds.MAX_DAY, dt.date(2026, 12, 1), dt.date(2026, 12, 2)]),
    st.dates(min_value=bounds.MIN_DAY, max_value=bounds.MAX_DAY),
)
DAY_OK = DAYS.map(dt.date.isoformat)
DAY_BAD = st.sampled_from(
    ["2026-13-01", "2026-02-30", "9999-12-31", "1899-12-31", "0001-01-01", "2026-1-1",
     "20261102", "2026-11-02T00:00", "2026-11-02 ", " 2026-11-02", "", 20261102, 1.0, None,
     ["2026-11-02"], REMOVE]
)  # fmt: skip
DAY_ANY = st.sampled_from(["2026-W01-1", "2026-001", "2026-11-0\u0662"])
OPT_DAY_BAD = DAY_BAD.filter(lambda v: v is not None and v is not REMOVE)
TIME_OK = st.builds(
    lambda moment, minutes, z: (
        moment.replace(tzinfo=dt.timezone(dt.timedelta(minutes=minutes))).isoformat()
        if not z
        else moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    ),
    st.datetimes(min_value=dt.datetime(1901, 1, 1), max_value=dt.datetime(2198, 12, 31)),
    st.integers(min_value=-23 * 60 - 59, max_value=23 * 60 + 59),
    st.booleans(),
)
TIME_BAD = st.sampled_from(
    ["2026-11-03T10:20:00", "2026-11-03", "2026-11-03T10:20", "0001-01-01T00:00:00+00:00",
     "9999-12-31T23:59:59+00:00", "1899-12-31T23:00:00+00:00", "2200-01-01T00:00:00+00:00",
     "1900-01-01T00:30:00+01:00", "2199-12-31T23:30:00-01:00", "yesterday", "", 1700000000,
     ["2026-11-03T10:20:00Z"], None, REMOVE]
)  # fmt: skip
TIME_ANY = st.sampled_from(
    ["1900-01-01T00:00:00+00:00", "1900-01-01T00:30:00-01:00", "2199-12-31T23:59:59+00:00",
     "2199-12-31T22:00:00+01:00", "2026-11-03 10:20Z", "2026-11-03T10:20:00.5+05:30"]
)  # fmt: skip
OPT_TIME_BAD = TIME_BAD.filter(lambda v: v is not None and v is not REMOVE)
APPROVERS_OK = st.lists(st.one_of(NAME_OK, st.sampled_from(["", " "])), max_size=3)
APPROVERS_BAD = st.sampled_from(
    [None, "ops-lead", ["ok", 3], [None], ["bell\x07"], ["t" * 256], [["x"]], {"a": 1}]
)
MONITORING_OK = st.integers(min_value=0, max_value=3660)
MONITORING_BAD = st.sampled_from([-1, 3661, 2**63, 1.0, True, False, "3", None])


def choice_ok(allowed: tuple[str, ...]) -> st.SearchStrategy[Any]:
    return st.one_of(st.sampled_from(allowed), st.just(REMOVE))


def choice_bad(allowed: tuple[str, ...]) -> st.SearchStrategy[Any]:
    return st.sampled_from(
        [allowed[0].upper(), allowed[0] + " ", "", None, 1, True, [allowed[0]], {"k": "v"}]
    )


# Each field: (OK pool, BAD pool, ANY pool or None). An OK pool may draw REMOVE (an optional field).
Fields = dict[str, tuple[st.SearchStrategy[Any], st.SearchStrategy[Any], Any]]
OPTIONAL_TEXT = (st.one_of(OPT_TEXT_OK, st.just(REMOVE)), OPT_TEXT_BAD, None)
OPTIONAL_TIME = (st.one_of(st.none(), TIME_OK, st.just(REMOVE)), OPT_TIME_BAD, TIME_ANY)
RELEASE: Fields = {
    "key": (KEY_OK, KEY_BAD, None),
    "name": (NAME_OK, NAME_BAD, None),
    "team": (KEY_OK, KEY_BAD, None),
    "train": OPTIONAL_TEXT,
    "status": (choice_ok(RELEASE_STATUSES), choice_bad(RELEASE_STATUSES), None),
    "monitoring_days": (st.one_of(MONITORING_OK, st.just(REMOVE)), MONITORING_BAD, None),
}
STAGE: Fields = {
    "environment": (NAME_OK, NAME_BAD, None),
    "strategy": (choice_ok(STAGE_STRATEGIES), choice_bad(STAGE_STRATEGIES), None),
}
MILESTONE: Fields = {"name": (NAME_OK, NAME_BAD, None), "date": (DAY_OK, DAY_BAD, DAY_ANY)}
GATE: Fields = {
    "name": (NAME_OK, NAME_BAD, None),
    "environment": OPTIONAL_TEXT,
    "kind": (choice_ok(GATE_KINDS), choice_bad(GATE_KINDS), None),
    "approvers": (st.one_of(APPROVERS_OK, st.just(REMOVE)), APPROVERS_BAD, None),
    "status": (choice_ok(GATE_STATUSES), choice_bad(GATE_STATUSES), None),
    "decided_by": OPTIONAL_TEXT,
    "decided_at": OPTIONAL_TIME,
    "comment": OPTIONAL_TEXT,
}
DEPLOYMENT: Fields = {
    "release": (NAME_OK, NAME_BAD, None),
    "environment": (NAME_OK, NAME_BAD, None),
    "incident": OPTIONAL_TEXT,
}
CHANGE: Fields = {"id": (NAME_OK, NAME_BAD, None), "committed": OPTIONAL_TIME}
LIST_BAD = st.sampled_from([{}, "x", 3, True, [None], [[]], ["x"], [{"unknown": 1}]])
UNKNOWN = st.sampled_from(["colour", "Key", "", " name", "steps\x00"])


def _fields(draw: st.DrawFn, fields: Fields, mixed: bool) -> dict[str, Any]:
    """The fields of ``fields``, from the OK pools, or from any pool when ``mixed``."""
    out = {}
    for name, (ok, bad, any_) in fields.items():
        pools = [ok, bad, any_] if mixed and any_ is not None else [ok, bad] if mixed else [ok]
        value = draw(st.one_of(*pools))
        if value is not REMOVE:
            out[name] = value
    return out


def _day_pair(draw: st.DrawFn, mixed: bool, required: bool) -> tuple[Any, Any]:
    """Two days in order (any order, or anything, when ``mixed``)."""
    a, b = sorted(draw(st.lists(DAYS, min_size=2, max_size=2)))
    pair: list[Any] = [a.isoformat(), b.isoformat()]
    if mixed:
        pair = draw(st.permutations(pair))
        for i in range(2):
            if draw(st.booleans()):
                pool = [DAY_BAD, DAY_ANY] if required else [OPT_DAY_BAD, DAY_ANY, st.none()]
                pair[i] = draw(st.one_of(*pools_or_remove(pool, required)))
    elif not required:
        pair = [v if draw(st.booleans()) else draw(st.sampled_from([None, REMOVE])) for v in pair]
    return pair[0], pair[1]


def pools_or_remove(pools: list[Any], required: bool) -> list[Any]:
    return pools if required else [*pools, st.just(REMOVE)]


def _put(out: dict[str, Any], name: str, value: Any) -> None:
    if value is not REMOVE:
        out[name] = value


def _unknown(draw: st.DrawFn, out: dict[str, Any], mixed: bool) -> dict[str, Any]:
    if mixed and draw(st.integers(0, 9)) == 0:
        out[draw(UNKNOWN)] = draw(st.sampled_from([None, 1, "x"]))
    return out


def _children(draw: st.DrawFn, child: Any, mixed: bool) -> Any:
    if mixed and draw(st.integers(0, 9)) == 0:
        return draw(st.one_of(LIST_BAD, st.sampled_from([None, REMOVE])))
    return draw(st.lists(child(mixed), max_size=3))


@st.composite
def stages(draw: st.DrawFn, mixed: bool) -> dict[str, Any]:
    out = _fields(draw, STAGE, mixed)
    start, end = _day_pair(draw, mixed, required=True)
    _put(out, "start", start)
    _put(out, "end", end)
    if mixed and draw(st.integers(0, 4)) == 0:  # lifecycle keys: left to the full reader
        out["steps"] = draw(st.sampled_from([None, [], [{"date": "2026-12-01", "percent": 5}]]))
        out["switch"] = draw(st.sampled_from([None, "2026-12-01", "2026-13-01"]))
    return _unknown(draw, out, mixed)


@st.composite
def milestones(draw: st.DrawFn, mixed: bool) -> dict[str, Any]:
    return _unknown(draw, _fields(draw, MILESTONE, mixed), mixed)


@st.composite
def gates(draw: st.DrawFn, mixed: bool) -> dict[str, Any]:
    return _unknown(draw, _fields(draw, GATE, mixed), mixed)


@st.composite
def releases(draw: st.DrawFn, mixed: bool = False) -> Any:
    if mixed and draw(st.integers(0, 19)) == 0:
        return draw(st.sampled_from([None, "release", 3, [], [{"key": "PAY"}]]))
    out = _fields(draw, RELEASE, mixed)
    start, target = _day_pair(draw, mixed, required=False)
    _put(out, "start", start)
    _put(out, "target", target)
    for name, child in (("stages", stages), ("milestones", milestones), ("gates", gates)):
        _put(out, name, _children(draw, child, mixed))
    return _unknown(draw, out, mixed)


@st.composite
def changes(draw: st.DrawFn, mixed: bool) -> dict[str, Any]:
    return _unknown(draw, _fields(draw, CHANGE, mixed), mixed)


@st.composite
def deployments(draw: st.DrawFn, mixed: bool = False) -> Any:
    if mixed and draw(st.integers(0, 19)) == 0:
        return draw(st.sampled_from([None, "deployment", 3, [], [{"release": "PAY"}]]))
    out = _fields(draw, DEPLOYMENT, mixed)
    outcome: Any = draw(st.sampled_from(DEPLOYMENT_OUTCOMES))
    times = sorted(draw(st.lists(TIME_OK, min_size=3, max_size=3)), key=dt.datetime.fromisoformat)
    started, finished, restored = times
    started = started if draw(st.booleans()) else draw(st.sampled_from([None, REMOVE]))
    if outcome == "succeeded" or draw(st.booleans()):
        restored = draw(st.sampled_from([None, REMOVE]))
    if mixed:
        outcome = draw(
            st.one_of(st.just(outcome), choice_bad(DEPLOYMENT_OUTCOMES), st.just(REMOVE))
        )
        if draw(st.booleans()):
            started, finished, restored = draw(st.permutations([started, finished, restored]))
        finished = draw(st.one_of(st.just(finished), TIME_BAD, TIME_ANY))
        started = draw(st.one_of(st.just(started), OPT_TIME_BAD, TIME_ANY))
        restored = draw(st.one_of(st.just(restored), OPT_TIME_BAD, TIME_ANY))
    elif draw(st.booleans()):
        outcome = REMOVE if outcome == "succeeded" else outcome
    for name, value in (
        ("outcome", outcome), ("started", started), ("finished", finished),
        ("restored", restored), ("changes", _children(draw, changes, mixed)),
    ):  # fmt: skip
        _put(out, name, value)
    return _unknown(draw, out, mixed)


READERS: dict[str, tuple[Callable[[Any], Any], Callable[[codec.Decoder], Any]]] = {
    "releases": (codec_fast.fast_release, lambda dec: dec.release),
    "deployments": (codec_fast.fast_deployment, lambda dec: dec.deployment),
}


def _both(section: str, value: Any) -> tuple[Any, Any, list[Any]]:
    """The fast reader's object, the full reader's and the full reader's issues."""
    fast, full = READERS[section]
    dec = codec.Decoder()
    frozen = copy.deepcopy(value)
    quick = fast(value)
    assert value == frozen  # neither reader changes what it reads
    return quick, full(dec)(value, f"{section}[0]"), dec.issues


def assert_agree(section: str, value: Any) -> Any:
    quick, slow, issues = _both(section, value)
    if quick is not None:
        assert issues == []
        assert quick == slow
    return quick


@SOME
@given(st.one_of(releases(mixed=True), releases()))
def test_a_release_the_fast_reader_takes_is_the_full_readers(value: Any) -> None:
    assert_agree("releases", value)


@SOME
@given(st.one_of(deployments(mixed=True), deployments()))
def test_a_deployment_the_fast_reader_takes_is_the_full_readers(value: Any) -> None:
    assert_agree("deployments", value)


@SOME
@given(releases())
def test_the_fast_reader_takes_every_common_release(value: Any) -> None:
    assert assert_agree("releases", value) is not None


@SOME
@given(deployments())
def test_the_fast_reader_takes_every_common_deployment(value: Any) -> None:
    assert assert_agree("deployments", value) is not None


def _places(
    value: dict[str, Any], fields: dict[str, Fields]
) -> list[tuple[dict[str, Any], str, Any]]:
    """Every (object, field, BAD pool) of a release or deployment and of its children."""
    out = [(value, name, bad) for name, (_, bad, _) in fields[""].items()]
    for child, child_fields in fields.items():
        for obj in (value.get(child) or []) if child else []:
            out += [(obj, name, bad) for name, (_, bad, _) in child_fields.items()]
    return out


RELEASE_PLACES: dict[str, Fields] = {
    "": {
        **RELEASE,
        "start": (DAY_OK, OPT_DAY_BAD, None),
        "target": (DAY_OK, OPT_DAY_BAD, None),
        "stages": (None, LIST_BAD, None),  # type: ignore[dict-item]
        "milestones": (None, LIST_BAD, None),  # type: ignore[dict-item]
        "gates": (None, LIST_BAD, None),  # type: ignore[dict-item]
    },
    "stages": {**STAGE, "start": (DAY_OK, DAY_BAD, None), "end": (DAY_OK, DAY_BAD, None)},
    "milestones": MILESTONE,
    "gates": GATE,
}
DEPLOYMENT_PLACES: dict[str, Fields] = {
    "": {
        **DEPLOYMENT,
        "started": OPTIONAL_TIME,
        "finished": (TIME_OK, TIME_BAD, None),
        "restored": OPTIONAL_TIME,
        "outcome": (None, choice_bad(DEPLOYMENT_OUTCOMES), None),  # type: ignore[dict-item]
        "changes": (None, LIST_BAD, None),  # type: ignore[dict-item]
    },
    "changes": CHANGE,
}


def _break_one(data: st.DataObject, value: dict[str, Any], places: dict[str, Fields]) -> None:
    obj, name, bad = data.draw(st.sampled_from(_places(value, places)))
    broken = data.draw(bad)
    if broken is REMOVE:
        obj.pop(name, None)
    else:
        obj[name] = broken


@SOME
@given(releases(), st.data())
def test_a_release_with_one_bad_field_is_refused_by_both(value: Any, data: st.DataObject) -> None:
    _break_one(data, value, RELEASE_PLACES)
    quick, _, issues = _both("releases", value)
    assert issues
    assert quick is None


@SOME
@given(deployments(), st.data())
def test_a_deployment_with_one_bad_field_is_refused_by_both(
    value: Any, data: st.DataObject
) -> None:
    _break_one(data, value, DEPLOYMENT_PLACES)
    quick, _, issues = _both("deployments", value)
    assert issues
    assert quick is None


RELEASE_CASES: list[tuple[Callable[[dict[str, Any]], Any], str]] = [
    (lambda r: r.update(start="2026-12-02", target="2026-12-01"), "is before start"),
    (lambda r: r["stages"][0].update(start="2026-12-02", end="2026-12-01"), "is before start"),
    (lambda r: r["stages"][0].update(steps=[{"date": "2026-12-01", "percent": 0}]), "expected"),
    (lambda r: r["stages"][0].update(switch="2026-02-30"), "expected a date"),
    (lambda r: r["gates"][0].update(decided_at="2026-12-01T10:00:00"), "no offset"),
    (lambda r: r["gates"][0].update(decided_at="2199-12-31T23:30:00-01:00"), "is outside"),
    (lambda r: r["gates"][0].update(approvers=["ops", 1]), "list of strings"),
    (lambda r: r["milestones"][0].update(date="1899-12-31"), "is outside"),
    (lambda r: r.update(key="PAY->1"), "not a valid key"),
    (lambda r: r.update(team="PAY|WEB"), "not a valid key"),
    (lambda r: r.update(name="x" * 256), "at most 255"),
    (lambda r: r.update(monitoring_days=True), "whole number"),
]
DEPLOYMENT_CASES: list[tuple[Callable[[dict[str, Any]], Any], str]] = [
    (lambda d: d.update(started="2026-12-01T11:00:00Z"), "finished before it started"),
    (lambda d: d.update(restored="2026-12-01T11:00:00Z"), "only a deployment that did not"),
    (lambda d: d.update(outcome="failed", restored="2026-12-01T09:00:00Z"), "restored before"),
    (lambda d: d.update(finished="2026-12-01T10:00:00"), "no offset"),
    (lambda d: d["changes"][0].update(committed="9999-01-01T00:00:00Z"), "is outside"),
    (lambda d: d["changes"][0].update(id=""), "non-empty string"),
    (lambda d: d["changes"].append("abc"), "expected an object"),
    (lambda d: d.update(environment="Prod\x00"), "control character"),
]


def _release() -> dict[str, Any]:
    return {
        "key": "PAY-2026.12", "name": "Payments 2026.12", "team": "PAY", "train": None,
        "start": "2026-11-02", "target": "2026-12-01", "status": "planned",
        "stages": [{"environment": "Production", "start": "2026-11-30", "end": "2026-12-01"}],
        "milestones": [{"name": "Code freeze", "date": "2026-11-20"}],
        "gates": [{"name": "CAB", "environment": "Production", "approvers": ["ops"],
                   "status": "approved", "decided_by": "ops", "comment": None,
                   "decided_at": "2026-11-29T10:00:00+01:00"}],
    }  # fmt: skip


def _deployment() -> dict[str, Any]:
    return {
        "release": "PAY-2026.12", "environment": "Production", "started": None,
        "finished": "2026-12-01T10:00:00Z", "outcome": "succeeded", "restored": None,
        "changes": [{"id": "abc", "committed": "2026-11-30T10:00:00-05:00"}],
    }  # fmt: skip


def test_the_cases_are_valid_before_a_change() -> None:
    assert assert_agree("releases", _release()) is not None
    assert assert_agree("deployments", _deployment()) is not None


@pytest.mark.parametrize(("change", "message"), RELEASE_CASES)
def test_a_bad_release_is_left_to_the_full_reader(change: Any, message: str) -> None:
    value = _release()
    change(value)
    quick, _, issues = _both("releases", value)
    assert quick is None
    assert message in " ".join(i.message for i in issues)


@pytest.mark.parametrize(("change", "message"), DEPLOYMENT_CASES)
def test_a_bad_deployment_is_left_to_the_full_reader(change: Any, message: str) -> None:
    value = _deployment()
    change(value)
    quick, _, issues = _both("deployments", value)
    assert quick is None
    assert message in " ".join(i.message for i in issues)


@pytest.mark.parametrize("section", ["releases", "deployments"])
def test_the_demo_takes_the_fast_path(section: str) -> None:
    """Every release and deployment of the demo is read by the fast reader: no fallback."""
    values = generate("small", seed=0, today=dt.date(2026, 3, 16))[section]
    assert values
    fallbacks = [v for v in values if assert_agree(section, v) is None]
    assert fallbacks == []
    assert section in codec_fast.FAST_READERS
