"""Card uuids: version 7 (time-ordered, 74 random bits), standard form, never repeated by a fork."""

from __future__ import annotations

import os
import re
import time
import uuid

from cds_service import uuids

SHAPE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")


def test_uuids_are_version_7_in_the_standard_form() -> None:
    made = [uuids.new_uuid() for _ in range(5 * uuids.BATCH)]
    assert all(SHAPE.fullmatch(u) for u in made)
    assert all(str(uuid.UUID(u)) == u and uuid.UUID(u).version == 7 for u in made)
    assert all(uuid.UUID(u).variant == uuid.RFC_4122 for u in made)
    assert len(set(made)) == len(made)


def test_uuids_carry_the_issue_time_so_new_card_records_append_to_the_index() -> None:
    before = time.time_ns() // 1_000_000
    first = uuids.new_uuid()
    time.sleep(0.002)
    second = uuids.new_uuid()
    after = time.time_ns() // 1_000_000
    millis = [int(u.replace("-", "")[:12], 16) for u in (first, second)]
    assert before <= millis[0] < millis[1] <= after
    assert first < second, "a later card sorts after an earlier one"


def test_variant_digit_keeps_its_two_random_bits() -> None:
    assert {uuids.new_uuid()[19] for _ in range(40 * uuids.BATCH)} == set("89ab")


def test_a_forked_worker_does_not_repeat_the_parents_uuids() -> None:
    uuids.new_uuid()  # the parent now holds a partly used batch the child would inherit
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        os.write(write, "".join(uuids.new_uuid() for _ in range(3)).encode())
        os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    with os.fdopen(read) as pipe:
        child = pipe.read()
    parent = "".join(uuids.new_uuid() for _ in range(3))
    assert len(child) == len(parent) == 3 * 36
    assert child != parent
    assert not {child[i : i + 36] for i in range(0, len(child), 36)} & {
        parent[i : i + 36] for i in range(0, len(parent), 36)
    }
