"""Version matching on OSV records: PEP 440 edge cases, each on its own."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from llm_tco.batch.inventory import InstalledPackage
from llm_tco.batch.match import find_matches, is_affected
from llm_tco.batch.osv import Affected, Event, VersionRange, load_advisories


def _affected(
    *ranges: list[tuple[str, str]], versions: tuple[str, ...] = ()
) -> Affected:
    return Affected(
        ecosystem="PyPI",
        name="pkg",
        ranges=tuple(
            VersionRange("ECOSYSTEM", tuple(Event(k, v) for k, v in events))
            for events in ranges
        ),
        versions=versions,
    )


def test_introduced_zero_covers_everything_below_the_fix() -> None:
    entry = _affected([("introduced", "0"), ("fixed", "2.0")])
    assert is_affected("0.0.1", entry)
    assert is_affected("1.9.9", entry)
    assert not is_affected("2.0", entry)
    assert not is_affected("2.0.0", entry)  # 2.0 == 2.0.0 under PEP 440
    assert not is_affected("10.0", entry)  # not "10.0" < "2.0" as text


def test_pre_releases_sort_before_their_release() -> None:
    entry = _affected([("introduced", "1.0"), ("fixed", "2.0")])
    assert not is_affected("1.0rc1", entry)  # before the introduction
    assert is_affected("1.0", entry)
    assert is_affected("2.0rc1", entry)  # the fix is not in the pre-release
    assert is_affected("2.0.dev3", entry)
    assert not is_affected("2.0", entry)
    fixed_in_rc = _affected([("introduced", "0"), ("fixed", "2.0rc2")])
    assert is_affected("2.0rc1", fixed_in_rc)
    assert not is_affected("2.0rc2", fixed_in_rc)
    assert not is_affected("2.0", fixed_in_rc)


def test_post_releases_sort_after_their_release() -> None:
    entry = _affected([("introduced", "0"), ("fixed", "1.4.post1")])
    assert is_affected("1.4", entry)
    assert not is_affected("1.4.post1", entry)
    assert not is_affected("1.4.post2", entry)
    up_to_release = _affected([("introduced", "0"), ("fixed", "1.4")])
    assert not is_affected("1.4.post1", up_to_release)


def test_last_affected_is_inclusive() -> None:
    entry = _affected([("introduced", "0"), ("last_affected", "1.11.0")])
    assert is_affected("1.11.0", entry)
    assert is_affected("1.11", entry)
    assert not is_affected("1.11.1", entry)
    assert not is_affected("1.11.0.post1", entry)


def test_several_ranges_and_several_pairs_in_one_range() -> None:
    two_ranges = _affected(
        [("introduced", "1.0"), ("fixed", "1.2.5")],
        [("introduced", "2.0"), ("fixed", "2.1.1")],
    )
    one_range = _affected(
        [
            ("introduced", "1.0"),
            ("fixed", "1.2.5"),
            ("introduced", "2.0"),
            ("fixed", "2.1.1"),
        ]
    )
    for entry in (two_ranges, one_range):
        assert not is_affected("0.9", entry)
        assert is_affected("1.2.4", entry)
        assert not is_affected("1.2.5", entry)
        assert not is_affected("1.9", entry)  # between the two ranges
        assert is_affected("2.1.0", entry)
        assert not is_affected("2.1.1", entry)


def test_events_out_of_order_are_sorted_by_version() -> None:
    entry = _affected([("fixed", "1.5"), ("introduced", "1.0")])
    assert is_affected("1.2", entry)
    assert not is_affected("1.6", entry)


def test_versions_list_without_ranges() -> None:
    entry = _affected(versions=("1.0", "1.1.0", "2.0.0b1", "not-pep440"))
    assert is_affected("1.0.0", entry)  # equal under PEP 440
    assert is_affected("1.1", entry)
    assert is_affected("2.0.0b1", entry)
    assert is_affected("not-pep440", entry)  # exact text still matches
    assert not is_affected("1.2", entry)
    assert not is_affected("2.0.0", entry)


def test_git_ranges_are_not_version_ranges() -> None:
    entry = Affected(
        "PyPI", "pkg", (VersionRange("GIT", (Event("introduced", "0"),)),), ()
    )
    assert not is_affected("1.0", entry)


def test_names_are_canonicalised_and_withdrawn_records_skipped(tmp_path: Path) -> None:
    def record(adv_id: str, name: str, withdrawn: bool = False) -> dict[str, object]:
        row: dict[str, object] = {
            "id": adv_id,
            "affected": [
                {
                    "package": {"ecosystem": "PyPI", "name": name},
                    "ranges": [
                        {
                            "type": "ECOSYSTEM",
                            "events": [{"introduced": "0"}, {"fixed": "2.0"}],
                        }
                    ],
                }
            ],
        }
        if withdrawn:
            row["withdrawn"] = "2023-01-01T00:00:00Z"
        return row

    (tmp_path / "a.json").write_text(json.dumps(record("A-1", "Zope.Interface")))
    (tmp_path / "b.json").write_text(json.dumps(record("B-1", "zope-interface", True)))
    packages = [InstalledPackage("zope_interface", "1.0", "PyPI")]
    matches = find_matches(packages, load_advisories(tmp_path))
    assert [m.advisory.id for m in matches] == ["A-1"]


def test_yaml_versions_stay_text(tmp_path: Path) -> None:
    pytest.importorskip("yaml")
    (tmp_path / "r.yaml").write_text(
        "id: Y-1\naffected:\n- package: {ecosystem: PyPI, name: pkg}\n"
        "  versions:\n  - 1.10\n  ranges:\n  - type: ECOSYSTEM\n"
        "    events:\n    - introduced: 0\n    - fixed: 1.20\n"
    )
    [advisory] = load_advisories(tmp_path)
    assert advisory.affected[0].versions == ("1.10",)  # not the float 1.1
    assert is_affected("1.10", advisory.affected[0])
    assert is_affected("1.19", advisory.affected[0])
    assert not is_affected("1.20", advisory.affected[0])
