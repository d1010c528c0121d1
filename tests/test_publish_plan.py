"""The pure core of publishing: manifests in, an ordered plan out (generator/publish/plan.py)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator.publish.plan import (
    Action,
    Entry,
    Phase,
    Tampering,
    TargetState,
    compare,
    decode_state,
    delete_refusal,
    describe,
    encode_state,
    forget,
    make_plan,
    phase_of,
)

SHARED = frozenset({"assets", "data"})


def entry(text: str) -> Entry:
    return Entry(len(text), f"{hash(text) & 0xFFFFFFFF:064x}")


def test_new_changed_unchanged_and_gone_files() -> None:
    remote = {"index.html": entry("portal lama"), "mawar/index.html": entry("sama"), "lama.js": entry("x")}
    local = {"index.html": entry("portal baru"), "mawar/index.html": entry("sama"), "assets/a.css": entry("css")}
    plan = make_plan(local, remote)
    assert [(s.action, s.path) for s in plan.steps] == [
        (Action.SEND, "assets/a.css"), (Action.REPLACE, "index.html"), (Action.DELETE, "lama.js")]
    assert plan.kept == ("mawar/index.html",)
    assert plan.result == local
    assert plan.bytes == entry("css").size + entry("portal baru").size


def test_what_pages_use_goes_first_the_portal_after_the_pages_deletes_last() -> None:
    local = {"index.html": entry("p"), "mawar/index.html": entry("k"), "mawar/media/a.png": entry("m"),
             "data/peta-kota.js": entry("d"), "mawar/wisata/index.html": entry("w")}
    plan = make_plan(local, {"gone.html": entry("g"), "zz/old.png": entry("o")})
    assert [s.path for s in plan.steps] == ["data/peta-kota.js", "mawar/media/a.png", "mawar/index.html",
                                           "mawar/wisata/index.html", "index.html", "gone.html", "zz/old.png"]
    assert [phase_of(p) for p in ("a.js", "x/y.html", "index.html")] == [Phase.FILES, Phase.PAGES, Phase.PORTAL]


def test_named_kelurahan_leave_the_others_alone() -> None:
    remote = {"mawar/index.html": entry("m1"), "melati/index.html": entry("l1"), "melati/lama.html": entry("x"),
              "index.html": entry("p1"), "assets/a.css": entry("a1")}
    local = {"mawar/index.html": entry("m2"), "melati/index.html": entry("l2"), "index.html": entry("p2"),
             "assets/a.css": entry("a2")}
    plan = make_plan(local, remote, ["mawar"], SHARED)
    assert {(s.action, s.path) for s in plan.steps} == {
        (Action.REPLACE, "mawar/index.html"), (Action.REPLACE, "index.html"), (Action.REPLACE, "assets/a.css")}
    assert plan.result["melati/index.html"] == entry("l1"), "melati keeps what the host has"
    assert plan.result["melati/lama.html"] == entry("x")


def test_delete_guard() -> None:
    remote = {f"mawar/p{i}.html": entry(str(i)) for i in range(40)} | {"melati/index.html": entry("l")}
    keep_melati = {"melati/index.html": entry("l")}
    whole = make_plan(keep_melati, remote)
    assert "seluruh kelurahan mawar" in (delete_refusal(whole) or "")
    many = make_plan(keep_melati | {"mawar/index.html": entry("baru")}, remote)
    assert "menghapus 40 berkas" in (delete_refusal(many, limit=30, shared=SHARED) or "")
    assert delete_refusal(many, limit=40, shared=SHARED) is None
    few = make_plan(remote | {"mawar/p0.html": entry("ubah")}, remote)
    assert delete_refusal(few) is None


def test_describe_counts_and_first_paths() -> None:
    plan = make_plan({f"f{i}.js": entry(str(i)) for i in range(8)} | {"a.html": entry("a")}, {"a.html": entry("a")})
    lines = describe(plan, first=3)
    assert lines[0] == "kirim: 8 berkas" and lines[1:4] == ["  f0.js", "  f1.js", "  f2.js"]
    assert "  ... dan 5 lagi" in lines and "tetap: 1 berkas" in lines and "hapus: 0 berkas" in lines


def test_manifest_round_trip_and_refusals() -> None:
    state = TargetState({"b/x.html": entry("x"), "a.js": entry("a")}, "20260101T000000Z", ("20251231T000000Z",))
    raw = encode_state(state)
    assert decode_state(raw) == state and encode_state(decode_state(raw)) == raw
    for bad in (b"[]", b'{"format": 99}', b'{"format":1,"release":null,"history":[],"files":{"../x":[1,"a"]}}',
                b'{"format":1,"release":null,"history":["/etc"],"files":{}}',
                b'{"format":1,"release":null,"history":[],"files":{"a":["1","a"]}}'):
        with pytest.raises(ValueError):
            decode_state(bad)


def test_tamper_compare_and_forget() -> None:
    published = {"index.html": entry("p"), "a.js": entry("a"), "b.js": entry("b")}
    found = {"index.html": entry("p").sha256, "a.js": "0" * 64, "shell.php": "1" * 64}
    assert compare(published, found) == Tampering(("a.js",), ("shell.php",), ("b.js",))
    assert not compare(published, {p: e.sha256 for p, e in published.items()})
    repaired = make_plan(published, forget(TargetState(published), ["a.js", "b.js"]).files)
    assert {s.path for s in repaired.transfers} == {"a.js", "b.js"}


paths = st.lists(st.sampled_from(["index.html", "kontak.html", "assets/a.css", "data/peta.js", "mawar/index.html",
                                  "mawar/umkm/index.html", "mawar/media/f.png", "melati/index.html",
                                  "melati/berita/x/index.html", "kenanga/media/g.jpg"]), unique=True)
manifests = paths.flatmap(lambda ps: st.fixed_dictionaries({p: st.sampled_from([entry("1"), entry("2")]) for p in ps}))


@given(manifests, manifests, st.lists(st.sampled_from(["mawar", "melati", "kenanga"]), unique=True))
def test_any_plan_is_ordered_complete_and_reaches_the_build(local: dict[str, Entry], remote: dict[str, Entry],
                                                           slugs: list[str]) -> None:
    plan = make_plan(local, remote, slugs, SHARED)
    phases = [step.phase for step in plan.steps]
    assert phases == sorted(phases), "assets/data first, then pages, then the portal, deletions last"
    touched = [step.path for step in plan.steps] + list(plan.kept)
    assert len(touched) == len(set(touched)), "each path at most once"
    after = dict(remote)
    for step in plan.steps:
        if step.action is Action.DELETE:
            after.pop(step.path)
        else:
            assert step.entry is not None
            after[step.path] = step.entry
    assert after == plan.result, "applying the steps to the host gives the planned manifest"
    for path, value in local.items():
        in_scope = not slugs or "/" not in path or path.split("/")[0] in {*slugs, *SHARED}
        assert (plan.result.get(path) == value) if in_scope else (plan.result.get(path) == remote.get(path))
