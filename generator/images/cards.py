"""Generated share cards for pages without a photo: the page's name, the kelurahan and the city
on the site's colour, 1200x630 JPEG (the idea of Material for MkDocs' social cards).

The font is the one Pillow ships inside itself (Aileron, public domain, through
``ImageFont.load_default``): no font file to find on the system, no network, and the same
Pillow draws the same card everywhere.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFont

from . import plan
from .pixels import card_jpeg

BACKGROUND = (124, 45, 18)  # --utama of assets/situs.css
BAND = (90, 31, 11)  # --utama-gelap
TEXT = (255, 255, 255)
SOFT = (254, 215, 170)
MARGIN = 80
TITLE_SIZES = (76, 64, 54)
MAX_LINES = 4


@dataclass(frozen=True)
class CardText:
    """What a generated card says."""

    judul: str
    kelurahan: str
    kota: str

    def key_text(self) -> str:
        """The text that identifies this card in the cache."""
        return "\0".join((plan.SETTINGS, "kartu", self.judul, self.kelurahan, self.kota))


@functools.lru_cache(maxsize=8)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def _wrap(draw: ImageDraw.ImageDraw, text: str, size: int, width: int) -> list[str]:
    """Break ``text`` into lines no wider than ``width`` (a word longer than a line is cut)."""
    lines: list[str] = []
    for word in text.split():
        candidate = f"{lines[-1]} {word}" if lines else word
        if lines and draw.textlength(candidate, font=_font(size)) <= width:
            lines[-1] = candidate
        else:
            while len(word) > 1 and draw.textlength(word, font=_font(size)) > width:
                word = word[:-1]
            lines.append(word)
    return lines or [""]


def _title_lines(draw: ImageDraw.ImageDraw, title: str) -> tuple[int, list[str]]:
    width = plan.CARD_WIDTH - 2 * MARGIN
    for size in TITLE_SIZES:
        lines = _wrap(draw, title, size, width)
        if len(lines) <= MAX_LINES - 1:
            return size, lines
    lines = _wrap(draw, title, TITLE_SIZES[-1], width)
    if len(lines) > MAX_LINES:
        lines = [*lines[: MAX_LINES - 1], lines[MAX_LINES - 1] + " …"]
    return TITLE_SIZES[-1], lines


def draw_card(text: CardText) -> bytes:
    """The card of one page as JPEG bytes."""
    card = Image.new("RGB", (plan.CARD_WIDTH, plan.CARD_HEIGHT), BACKGROUND)
    draw = ImageDraw.Draw(card)
    draw.rectangle((0, plan.CARD_HEIGHT - 130, plan.CARD_WIDTH, plan.CARD_HEIGHT), fill=BAND)
    draw.text((MARGIN, 70), text.kota, font=_font(36), fill=SOFT)
    size, lines = _title_lines(draw, text.judul)
    top = 140
    for line in lines:
        draw.text((MARGIN, top), line, font=_font(size), fill=TEXT, stroke_width=1, stroke_fill=TEXT)
        top += round(size * 1.2)
    footer = text.kelurahan if text.kelurahan else text.kota
    draw.text((MARGIN, plan.CARD_HEIGHT - 88), footer, font=_font(40), fill=TEXT)
    return card_jpeg(card)
