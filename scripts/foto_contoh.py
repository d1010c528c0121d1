"""Make the sample's phone-size example photos (drawn, not photographed; marked "contoh").

    python3 scripts/foto_contoh.py

Writes 4000x3000 JPEGs such as a phone camera produces (one stored sideways with an EXIF
orientation, as phones do) into a few kelurahan of the sample, so the sample shows what the
photo pipeline does with real-size photos. Deterministic: the same Pillow writes the same bytes.
"""

from __future__ import annotations

import io
import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

ROOT = Path(__file__).resolve().parent.parent
SIZE = (4000, 3000)
# (kelurahan, file, sky colour, ground colour, EXIF orientation)
PHOTOS = (
    ("kauman", "kampung-batik-contoh.jpg", (120, 170, 220), (150, 90, 50), 1),
    ("laweyan", "kantor-kelurahan-contoh.jpg", (150, 190, 230), (90, 120, 70), 6),
    ("sriwedari", "taman-kota-contoh.jpg", (170, 200, 235), (70, 130, 60), 1),
)


def scene(sky: tuple[int, int, int], ground: tuple[int, int, int], seed: int) -> Image.Image:
    """A simple landscape: sky, ground, buildings, soft grain and the word CONTOH."""
    rng = random.Random(seed)
    width, height = SIZE
    image = Image.new("RGB", SIZE, sky)
    draw = ImageDraw.Draw(image)
    horizon = height * 3 // 5
    for y in range(horizon):  # sky gradient
        shade = tuple(min(255, c + y * 60 // horizon) for c in sky)
        draw.line([(0, y), (width, y)], fill=shade)
    draw.rectangle((0, horizon, width, height), fill=ground)
    for _ in range(14):  # houses
        left = rng.randrange(0, width - 400)
        top = horizon - rng.randrange(300, 900)
        colour = tuple(rng.randrange(120, 240) for _ in range(3))
        draw.rectangle((left, top, left + rng.randrange(250, 600), horizon + 40), fill=colour)
        draw.polygon([(left - 40, top), (left + 300, top - 260), (left + 640, top)], fill=(140, 50, 30))
    font = ImageFont.load_default(size=360)
    draw.text((width // 2, height * 4 // 5), "CONTOH", font=font, fill=(255, 255, 255), anchor="mm",
              stroke_width=12, stroke_fill=(0, 0, 0))
    grain = Image.effect_noise(SIZE, 12).convert("RGB").filter(ImageFilter.GaussianBlur(1))
    return Image.blend(image.filter(ImageFilter.GaussianBlur(2)), grain, 0.12)


def main() -> None:
    """Write every sample photo."""
    for seed, (slug, name, sky, ground, orientation) in enumerate(PHOTOS):
        image = scene(sky, ground, seed)
        exif = Image.Exif()
        exif[0x010F] = "Contoh"  # Make: no owner, no place
        if orientation != 1:
            exif[0x0112] = orientation
            image = image.transpose(Image.Transpose.ROTATE_90)  # stored sideways, shown upright
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=85, exif=exif)
        target = ROOT / "kelurahan" / slug / "media" / name
        target.write_bytes(buffer.getvalue())
        print(f"{target.relative_to(ROOT)}: {len(buffer.getvalue()) // 1024} KB")


if __name__ == "__main__":
    main()
