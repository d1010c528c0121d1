"""The files made from photos, as build pages: the variants and cards of every media file, and
the generated share cards of the pages without a photo. Their bytes come from the cache."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from ..content import Sources
from ..errors import Problem
from ..models import Kelurahan
from ..render import Page, Renderer
from .cache import ImageCache, card_key
from .cards import CardText
from .pixels import PhotoError, suffix_of
from .plan import ImageInfo, card_path, published_files


@dataclass
class Made:
    """How many images and cards one kelurahan build made, and how many it found in the cache."""

    made: int = 0
    reused: int = 0

    def count(self, made: bool) -> None:
        """Count one image or card."""
        if made:
            self.made += 1
        else:
            self.reused += 1


def media_records(cache: ImageCache, sources: Sources, media: tuple[str, ...],
                  made: Made) -> tuple[dict[str, ImageInfo], list[Problem]]:
    """The record of every media file (resized and encoded now if the cache lacks it)."""
    images, problems = {}, []
    for rel in media:
        try:
            images[rel], new = cache.photo(sources.files[rel], suffix_of(rel))
        except PhotoError as error:
            problems.append(Problem(sources.where(rel), 1, str(error), error.hint))
            continue
        made.count(new)
    return images, problems


def media_pages(cache: ImageCache, sources: Sources, images: Mapping[str, ImageInfo]) -> list[Page]:
    """Every published file made from the media files: variants, share cards, the original name."""
    return [Page(f"{sources.slug}/{path}", (f"kelurahan/{sources.slug}/{rel}",), _cached(cache, info.key, name),
                 info.key)
            for rel, info in images.items() for path, name in published_files(rel, info)]


def _cached(cache: ImageCache, key: str, name: str) -> Callable[[], bytes]:
    return lambda: cache.read(key, name)


def card_pages(cache: ImageCache, renderer: Renderer, kel: Kelurahan, images: Mapping[str, ImageInfo],
               made: Made) -> list[Page]:
    """Generated share cards of the pages without a photo (none without ``base_url``)."""
    if renderer.card_url("") is None:
        return []
    pages = []
    for photo in renderer.page_photos(kel):
        path = photo.card_path(kel.slug, images)
        if path == card_path(photo.page):
            pages.append(Page(path, (), card_renderer(cache, photo.card, made), card_key(photo.card)))
    return pages


def card_renderer(cache: ImageCache, text: CardText, made: Made) -> Callable[[], bytes]:
    """A page's ``render``: the generated card for ``text``, counted as made or reused."""
    def render() -> bytes:
        data, new = cache.card(text)
        made.count(new)
        return data
    return render
