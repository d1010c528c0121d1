"""Pure: who is acting, and what they may do. Every view asks exactly one of these questions."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    """A logged-in account: the admin (Diskominfo) or an editor of some kelurahan."""

    nama: str
    admin: bool
    kelurahan: tuple[str, ...]
    must_change_password: bool = False


def may_edit(actor: Actor | None, slug: str) -> bool:
    """May read and change the files of kelurahan ``slug``."""
    if actor is None or actor.must_change_password:
        return False
    return actor.admin or slug in actor.kelurahan


def may_administer(actor: Actor | None) -> bool:
    """May manage accounts, see every change and publish."""
    return actor is not None and actor.admin and not actor.must_change_password


def may_use(actor: Actor | None) -> bool:
    """May use the studio at all (logged in, password already changed)."""
    return actor is not None and not actor.must_change_password


def visible_kelurahan(actor: Actor, all_slugs: list[str]) -> list[str]:
    """The kelurahan an actor sees on the start page."""
    return list(all_slugs) if actor.admin else [s for s in all_slugs if s in actor.kelurahan]
