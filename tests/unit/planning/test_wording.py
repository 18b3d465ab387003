"""Words for people: counted nouns and verdicts, one spelling everywhere."""

from __future__ import annotations

from relplan.planning.check import Problem
from relplan.planning.report import format_problems
from relplan.planning.wording import VERDICT_WORDS, count, counts, plural, verdict_words


def test_plurals_of_the_nouns_relplan_counts() -> None:
    assert [plural(w) for w in ("dependency", "deployment", "freeze", "release", "work item")] == [
        "dependencies",
        "deployments",
        "freezes",
        "releases",
        "work items",
    ]
    assert plural("day") == "days"  # a vowel before the y keeps it
    assert plural("match") == "matches"


def test_one_is_singular_and_codes_read_as_nouns() -> None:
    assert count(1, "release") == "1 release"
    assert count(0, "release") == "0 releases"
    assert count(1, "freeze") == "1 freeze"
    assert count(2, "work_item") == "2 work items"
    assert count(12345, "dependency") == "12,345 dependencies"


def test_counts_joins_and_leaves_out_zeros() -> None:
    assert counts({"dependency": 140, "deployment": 407}) == "140 dependencies, 407 deployments"
    assert counts([("release", 1), ("team", 0), ("work_item", 1)]) == "1 release, 1 work item"


def test_verdicts_read_with_spaces() -> None:
    assert verdict_words("at_risk") == "at risk"
    assert verdict_words("on_track") == "on track"
    assert all("_" not in words for words in VERDICT_WORDS.values())


def test_check_table_keeps_within_the_width_and_names_the_first_subjects() -> None:
    subjects = ("environment:Staging", *(f"release:TEAM{n:02d}-2027.06" for n in range(31)))
    message = "Staging holds 31 releases' stage windows: " + ", ".join(s[8:] for s in subjects)
    problems = [
        Problem("environment_conflict", "error", subjects, message),
        Problem("gate_pending", "warning", ("release:A",), "A targets soon"),
    ]
    text = format_problems(problems, width=100)
    assert max(len(line) for line in text.splitlines()) <= 100
    wide = format_problems(problems, width=200)
    assert max(len(line) for line in wide.splitlines()) <= 200
    assert "release:TEAM01-2027.06 and 29 more" in wide
    assert "release:TEAM30-2027.06" not in text  # the subjects column names the first three
    # Every word of the message is still there, wrapped.
    assert "TEAM30-2027.06" in " ".join(text.split())
    assert text.splitlines()[-1] == "1 error, 1 warning"
