"""Master key rotation re-wraps keys only, resumes after an interruption, then retires."""

from __future__ import annotations

import json

import pytest

from vault import KeyRingError, RotationInProgress
from vault.rotation import rotate


class Interrupt(Exception):
    pass


def _people(vault, now, n: int) -> dict[str, str]:
    out = {}
    for k in range(n):
        pid = vault.create_person(f"p{k}@example.org", "h", now)
        out[pid] = vault.add_field(
            pid, category="c", name="n", kind="text", value=f"v{k}", now=now
        ).id
    return out


def _sealed_rows(store) -> list[tuple]:
    return store.execute("SELECT id, body FROM fields ORDER BY id")


def test_rotation_keeps_data_readable_and_reencrypts_nothing(store, now):
    people = _people(store.vault, now, 3)
    before = _sealed_rows(store)
    calls: list[tuple[int, int]] = []
    report = store.vault.rotate_master_key(progress=lambda d, t: calls.append((d, t)), now=now)
    assert (report.old_version, report.new_version, report.old_versions) == (1, 2, [1])
    assert (report.rewrapped, report.total, report.resumed) == (4, 4, False)
    assert calls[0] == (0, 4) and calls[-1] == (4, 4)
    assert _sealed_rows(store) == before
    assert store.vault.key_versions() == {1: 0, 2: 4}
    vault = store.reopen()
    for k, (pid, fid) in enumerate(people.items()):
        assert vault.get_field(pid, fid).value == f"v{k}"
    assert vault.find_person_by_email("p1@example.org") is not None  # index key re-wrapped
    assert vault.verify_log() == []


def test_interrupted_rotation_resumes_and_only_then_retires(store, now):
    people = _people(store.vault, now, 7)
    seen: list[int] = []

    def stop_after_first_batch(done: int, total: int) -> None:
        seen.append(done)
        if done >= 2:
            raise Interrupt

    with pytest.raises(Interrupt):
        rotate(store.vault.keys, stop_after_first_batch, now, batch_size=2)
    vault = store.reopen()
    versions = vault.key_versions()
    assert versions[1] > 0 and versions[2] > 0  # half-way: both versions in use
    with pytest.raises(RotationInProgress, match="still wrapped with master key version 1"):
        vault.retire_master_key(1)
    for pid, fid in people.items():  # readable mid-rotation
        assert vault.get_field(pid, fid).value.startswith("v")
    report = vault.rotate_master_key(now=now)
    assert report.resumed and report.new_version == 2 and report.total == versions[1]
    assert report.old_version == 1
    assert vault.key_versions() == {1: 0, 2: 8}
    assert vault.rotate_master_key(now=now).new_version == 3  # a finished rotation starts anew
    vault.retire_master_key(1)
    vault.retire_master_key(2)
    ring = json.loads((store.home / "master.key").read_text())
    assert set(ring["keys"]) == {"3"}
    vault = store.reopen()
    for pid, fid in people.items():
        assert vault.get_field(pid, fid).value.startswith("v")


def test_active_or_unknown_version_cannot_be_retired(vault):
    with pytest.raises(KeyRingError, match="is active"):
        vault.retire_master_key(1)
    with pytest.raises(KeyRingError, match="not in"):
        vault.retire_master_key(9)


def test_another_process_rotation_is_noticed(store, now):
    first = store.vault
    second = store.open()  # a second app process on the same store and ring file
    try:
        second.rotate_master_key(now=now)
        second.retire_master_key(1)
        pid = first.create_person("late@example.org", "h", now)  # must wrap with version 2
        assert second.key_versions() == {2: 2}
    finally:
        second.close()
    assert store.reopen().get_person(pid).email == "late@example.org"
