"""Benchmark of the photo pipeline: per image and for a city of 51 kelurahan with 5
phone-size photos each, cold and cached, next to Hugo's image processing of the same photos.

    python3 bench/images.py                 # N=51, 5 photos each, 3 repeats (~10 min here)
    python3 bench/images.py --repeat 1 -n 10

Both tools make the same files per photo: WebP and JPEG at 480, 960 and 1600 px wide
(never wider than the photo) and a 1200x630 share card. See bench/README.md ("Photos").
"""

from __future__ import annotations

import argparse
import io
import json
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageFilter

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.images.cache import ImageCache  # noqa: E402

WORK = ROOT / "bench" / "out" / "images"
RESULTS = ROOT / "bench" / "results"
PHOTO_SIZE = (4000, 3000)
KECAMATAN = ("laweyan", "serengan", "pasar-kliwon", "jebres", "banjarsari")
HUGO_TWIN = ROOT / "bench" / "hugo-images"  # hugo.toml and layouts: every photo resized like ours


def phone_photo(seed: int) -> Image.Image:
    """A 12-megapixel picture with the detail (noise) that makes real phone photos 3-5 MB."""
    gradient = Image.merge("RGB", (Image.linear_gradient("L").resize(PHOTO_SIZE),
                                   Image.radial_gradient("L").resize(PHOTO_SIZE),
                                   Image.linear_gradient("L").rotate(90 * seed).resize(PHOTO_SIZE)))
    noise = Image.effect_noise(PHOTO_SIZE, 30 + seed).convert("RGB").filter(ImageFilter.GaussianBlur(0.6))
    return Image.blend(gradient, noise, 0.35)


def photo_bytes(base: Image.Image, label: str) -> bytes:
    """The photo as a camera JPEG; ``label`` (EXIF ImageDescription) makes every file's bytes differ."""
    exif = Image.Exif()
    exif[0x010E] = label
    buffer = io.BytesIO()
    base.save(buffer, "JPEG", quality=90, exif=exif)
    return buffer.getvalue()


def make_city(n: int, photos: int, folder: Path) -> tuple[Path, Path, list[bytes]]:
    """Our site and the Hugo twin with the same photos; returns (site, hugo, one photo per base)."""
    shutil.rmtree(folder, ignore_errors=True)
    site, hugo = folder / "site", folder / "hugo"
    (site / "kelurahan").mkdir(parents=True)
    shutil.copyfile(ROOT / "config.yaml", site / "config.yaml")
    shutil.copytree(HUGO_TWIN, hugo)
    bases = [phone_photo(seed) for seed in range(photos)]
    samples = []
    for k in range(n):
        slug = f"kelurahan-{k + 1:03d}"
        folder_k = site / "kelurahan" / slug
        (folder_k / "media").mkdir(parents=True)
        (folder_k / "umkm").mkdir()
        lokasi = f"{-7.59 + 0.06 * k / max(n, 1):.4f}, {110.77 + 0.09 * k / max(n, 1):.4f}"
        (folder_k / "profil.yaml").write_text(
            f'nama: Contoh {k + 1}\nkecamatan: {KECAMATAN[k % 5]}\nlokasi: "{lokasi}"\nfoto: media/foto-0.jpg\n',
            encoding="utf-8")
        for j, base in enumerate(bases):
            data = photo_bytes(base, f"{slug}-{j}")
            if k == 0:
                samples.append(data)
            (folder_k / "media" / f"foto-{j}.jpg").write_bytes(data)
            if j:
                (folder_k / "umkm" / f"usaha-{j}.md").write_text(
                    f'---\nnama: Usaha {j} di {slug}\nlokasi: "{lokasi}"\nfoto: media/foto-{j}.jpg\n---\nContoh.\n',
                    encoding="utf-8")
            bundle = hugo / "content" / slug / f"foto-{j}"
            bundle.mkdir(parents=True)
            (bundle / "index.md").write_text(f"---\ntitle: Foto {j} {slug}\n---\nContoh.\n", encoding="utf-8")
            (bundle / "foto.jpg").write_bytes(data)
    return site, hugo, samples


def timed(command: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the process tree) of one command, which must succeed."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def ours(site: Path, output: Path, jobs: int, *extra: str) -> list[str]:
    return [sys.executable, "-c", "from generator.cli import main; main()", "--site", str(site), "build",
            "--output", str(output), "--jobs", str(jobs), *extra]


def per_image(samples: list[bytes], folder: Path, repeat: int) -> dict[str, float]:
    """Milliseconds to process one phone photo, cold (empty cache) and cached."""
    cold, cached = [], []
    for _ in range(repeat):
        for data in samples:
            shutil.rmtree(folder, ignore_errors=True)
            cache = ImageCache(folder)
            started = time.perf_counter()
            cache.photo(data, ".jpg")
            cold.append(time.perf_counter() - started)
            started = time.perf_counter()
            cache.photo(data, ".jpg")
            cached.append(time.perf_counter() - started)
    return {"cold_ms": 1000 * statistics.median(cold), "cached_ms": 1000 * statistics.median(cached)}


def repeat_runs(run: Callable[[], tuple[float, float]], times: int) -> dict[str, float]:
    walls, cpus = zip(*(run() for _ in range(times)), strict=True)
    return {"wall_s": statistics.median(walls), "cpu_s": statistics.median(cpus)}


def measure(args: argparse.Namespace) -> dict[str, object]:
    folder = WORK / f"city-{args.n}x{args.photos}"
    site, hugo, samples = make_city(args.n, args.photos, folder)
    out, hugo_out = folder / "output", folder / "hugo-public"
    cache, hugo_cache = site / ".kelurahan", hugo / "resources"

    def ours_cold() -> tuple[float, float]:
        shutil.rmtree(cache, ignore_errors=True)
        shutil.rmtree(out, ignore_errors=True)
        return timed(ours(site, out, args.jobs))

    def ours_cached() -> tuple[float, float]:
        shutil.rmtree(out, ignore_errors=True)
        return timed(ours(site, out, args.jobs))

    def hugo_cold() -> tuple[float, float]:
        shutil.rmtree(hugo_cache, ignore_errors=True)
        shutil.rmtree(hugo_out, ignore_errors=True)
        return timed([args.hugo, "--quiet", "-s", str(hugo), "-d", str(hugo_out)])

    def hugo_cached() -> tuple[float, float]:
        shutil.rmtree(hugo_out, ignore_errors=True)
        return timed([args.hugo, "--quiet", "-s", str(hugo), "-d", str(hugo_out)])

    photos = args.n * args.photos
    result: dict[str, object] = {"kelurahan": args.n, "photos": photos, "jobs": args.jobs,
                                 "photo_bytes_mean": statistics.mean(len(s) for s in samples),
                                 "per_image": per_image(samples, folder / "cache-per-image", args.repeat),
                                 "ours_cold": repeat_runs(ours_cold, args.repeat),
                                 "ours_cached": repeat_runs(ours_cached, args.repeat),
                                 "ours_nochange": repeat_runs(lambda: timed(ours(site, out, args.jobs)), args.repeat)}
    if args.hugo:
        result["hugo_version"] = subprocess.run([args.hugo, "version"], capture_output=True, text=True).stdout.strip()
        result["hugo_cold"] = repeat_runs(hugo_cold, args.repeat)
        result["hugo_cached"] = repeat_runs(hugo_cached, args.repeat)
    return result


def report(result: dict[str, object]) -> str:
    rows = [("ours, cold (empty cache, no output)", "ours_cold"), ("ours, cached (output removed, cache kept)",
            "ours_cached"), ("ours, no change (incremental)", "ours_nochange"),
            ("Hugo, cold (no resources/_gen)", "hugo_cold"), ("Hugo, cached (resources/_gen kept)", "hugo_cached")]
    lines = [f"{result['kelurahan']} kelurahan x {int(result['photos']) // int(result['kelurahan'])} photos "  # type: ignore[call-overload]
             f"= {result['photos']} phone photos of 4000x3000 (mean {int(result['photo_bytes_mean']) // 1024} KB), "  # type: ignore[call-overload]
             f"--jobs {result['jobs']}", "", "| run | wall (median) | CPU (median) |", "|---|---|---|"]
    for label, key in rows:
        if key in result:
            value: dict[str, float] = result[key]  # type: ignore[assignment]
            lines.append(f"| {label} | {value['wall_s']:.2f} s | {value['cpu_s']:.2f} s |")
    per: dict[str, float] = result["per_image"]  # type: ignore[assignment]
    lines += ["", f"Per image (one process, in-process call): cold {per['cold_ms']:.0f} ms, "
              f"cached {per['cached_ms']:.1f} ms."]
    if "hugo_cold" in result:
        ours_cold: dict[str, float] = result["ours_cold"]  # type: ignore[assignment]
        hugo_cold: dict[str, float] = result["hugo_cold"]  # type: ignore[assignment]
        lines.append(f"Cold ratio ours/Hugo: wall {ours_cold['wall_s'] / hugo_cold['wall_s']:.2f}, "
                     f"CPU {ours_cold['cpu_s'] / hugo_cold['cpu_s']:.2f}. {result['hugo_version']}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=51, help="number of kelurahan")
    parser.add_argument("--photos", type=int, default=5, help="photos per kelurahan")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    args.hugo = shutil.which("hugo")
    result = measure(args)
    text = report(result)
    print(text + ("" if args.hugo else "Hugo not found on PATH: install Debian's hugo (extended) to compare.\n"))
    RESULTS.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M")
    (RESULTS / f"{stamp}-images-n{args.n}.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    (RESULTS / f"{stamp}-images-n{args.n}.md").write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
