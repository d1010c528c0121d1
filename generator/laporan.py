"""The readiness report: reads every kelurahan, scores it (``kesiapan.py``), and shows the result
as a terminal table, as JSON, as the dashboard ``output/laporan/index.html``, and as ``check``
warnings."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from .assets import site_assets
from .config import SiteConfig, load_config
from .content import list_kelurahan, parse_kelurahan, read_sources
from .errors import ContentError, Problem, errors_in, warning
from .kesiapan import ATURAN, Kesiapan, Temuan, gagal, nilai, tingkat_label
from .maps import PAGE_MAP, MapPoint, boundary_features, map_script, page_data
from .models import Location
from .output import readable_dirs, write_if_changed
from .render import template_environment
from .wilayah.istilah import DESA, Istilah, Pilihan, untuk_kota, untuk_satuan

DASHBOARD = "laporan/index.html"
# Facts that concern many files at once are one warning per kelurahan; the others one per file.
_PER_FILE = ("kantor", "batas")


@dataclass(frozen=True)
class Laporan:
    """The readiness of the selected kelurahan on one date."""

    tanggal: dt.date
    kelurahan: tuple[Kesiapan, ...]
    pilihan: Pilihan  # the region words of config.yaml

    def only(self, slugs: tuple[str, ...]) -> Laporan:
        """The same report limited to ``slugs`` (all when empty)."""
        return Laporan(self.tanggal, tuple(k for k in self.kelurahan if not slugs or k.slug in slugs), self.pilihan)

    @property
    def istilah(self) -> Istilah:
        """The words for the sites listed: desa, kelurahan or both; kota or kabupaten."""
        return untuk_kota(self.pilihan, [k.kode for k in self.kelurahan])

    def count(self, tingkat: str) -> int:
        """How many kelurahan are at this level."""
        return sum(1 for k in self.kelurahan if k.tingkat == tingkat)


def buat_laporan(site: Path, slugs: tuple[str, ...], tanggal: dt.date) -> Laporan:
    """Score every selected kelurahan (all by default); one with errors scores 0."""
    config = load_config(site)
    scored = tuple(_score(site, config, slug, tanggal) for slug in slugs or list_kelurahan(site))
    return Laporan(tanggal, scored, config.istilah)


def _score(site: Path, config: SiteConfig, slug: str, tanggal: dt.date) -> Kesiapan:
    try:
        return nilai(parse_kelurahan(read_sources(site, slug), config), config, tanggal)
    except ContentError as error:
        return gagal(slug, len(errors_in(error.problems)))


def as_json(laporan: Laporan) -> str:
    """The report as JSON (stable key order)."""
    data = {
        "tanggal": laporan.tanggal.isoformat(),
        "aturan": ATURAN,
        "ringkasan": {t: laporan.count(t) for t in ("siap", "hampir", "belum")},
        "kelurahan": [{
            "slug": k.slug, "nama": k.nama, "kecamatan": k.kecamatan, "kode_wilayah": k.kode,
            "skor": k.skor, "tingkat": k.tingkat,
            "rincian": {name: {"poin": p, "maks": w} for name, (p, w) in k.rincian.items()},
            "langkah": [{"aturan": s.aturan, "poin": s.poin, "teks": s.teks} for s in k.langkah],
            "fakta": k.fakta,
        } for k in laporan.kelurahan],
    }
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def as_table(laporan: Laporan, every_step: bool) -> str:
    """A plain-text table, lowest score first, with the most useful next step of each kelurahan."""
    rows = sorted(laporan.kelurahan, key=lambda k: (k.skor, k.slug))
    istilah = laporan.istilah
    width = max([len(istilah.label), *(len(k.nama) for k in rows)])
    lines = [f"{'Skor':>4}  {'Tingkat':<12}  {istilah.label:<{width}}  Langkah berikutnya"]
    for k in rows:
        first = k.langkah[0].teks if k.langkah else "-"
        lines.append(f"{k.skor:>4}  {tingkat_label(k.tingkat):<12}  {k.nama:<{width}}  {first}")
        if every_step:
            lines.extend(f"{'':>20}{n}. {s.teks} (+{_poin(s.poin)})" for n, s in enumerate(k.langkah, 1))
    total = len(laporan.kelurahan)
    lines.append(f"\n{laporan.count('siap')} dari {total} {istilah.jamak} siap terbit, "
                 f"{laporan.count('hampir')} hampir siap, {laporan.count('belum')} belum siap "
                 f"(per {laporan.tanggal.isoformat()}).")
    return "\n".join(lines) + "\n"


def _poin(value: float) -> str:
    return f"{value:g}".replace(".", ",")


def dashboard_html(site: Path, config: SiteConfig, laporan: Laporan) -> bytes:
    """The dashboard page (noindex): a city map coloured by readiness and every kelurahan's steps."""
    by_code = {k.kode: k for k in laporan.kelurahan if k.kode}
    extra = {code: {"skor": k.skor, "tingkat": k.tingkat} for code, k in by_code.items()}
    batas = boundary_features((w for w in config.wilayah if w.kode in by_code), extra)
    drawn = {f["properties"]["kode"] for f in batas}
    # Offices only where no coloured polygon shows the kelurahan (red markers would hide the colours).
    offices = [MapPoint(nama=f"{k.nama} ({k.skor})", jenis="kantor", lokasi=Location(*k.lokasi), url=f"{k.slug}/",
                        satuan=DESA if untuk_satuan(config.istilah, k.kode).jenis == DESA else "")
               for k in laporan.kelurahan if k.lokasi and k.kode not in drawn]
    env = template_environment(site)
    html = env.get_template("laporan.html").render(
        config=config, akar="../", laporan=laporan, istilah=laporan.istilah, aturan=ATURAN, peta=PAGE_MAP,
        peta_data=page_data(offices, "../", batas), tingkat_label=tingkat_label, poin=_poin,
        urut=sorted(laporan.kelurahan, key=lambda k: (k.skor, k.slug)))
    return html.encode("utf-8")


def write_dashboard(site: Path, output: Path, laporan: Laporan) -> Path:
    """Write ``output/laporan/index.html`` and the assets and map script it loads (the same bytes
    a build writes, so only what a build has not written yet, or an older one, changes)."""
    config = load_config(site)
    output.mkdir(parents=True, exist_ok=True)
    for rel, source in site_assets():
        write_if_changed(output / rel, source.read_bytes())
    write_if_changed(output / PAGE_MAP.script, map_script(config, PAGE_MAP).encode())
    write_if_changed(output / DASHBOARD, dashboard_html(site, config, laporan))
    for folder in ("assets", "data", "laporan"):
        readable_dirs(output / folder)
    return output / DASHBOARD


def _line(site: Path, temuan: Temuan) -> int:
    """The line of ``temuan.key`` in its file (1 when it is a folder or the key is not written)."""
    path = site / temuan.path
    if not temuan.key or not path.is_file():
        return 1
    for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
        if line.startswith(f"{temuan.key}:"):
            return number
    return 1


def warnings(site: Path, slugs: tuple[str, ...], tanggal: dt.date, skip: set[str]) -> list[Problem]:
    """Readiness facts as ``check`` warnings (``path:line: peringatan: ...``), never errors."""
    wanted = tuple(s for s in slugs or tuple(list_kelurahan(site)) if s not in skip)
    if not wanted:  # an empty selection would mean "all" to buat_laporan
        return []
    laporan = buat_laporan(site, wanted, tanggal)
    lines: list[Problem] = []
    for k in laporan.kelurahan:
        if "kesalahan" in k.fakta:  # its errors are what check prints; nothing to add
            continue
        for step in k.langkah:
            if step.aturan in _PER_FILE:
                lines += [warning(t.path, _line(site, t), t.pesan) for t in step.temuan]
            else:
                first = step.temuan[0]
                if len(step.temuan) > 1 and not first.path.endswith("/profil.yaml"):
                    first = Temuan(f"kelurahan/{k.slug}/profil.yaml", "", step.teks)
                lines.append(warning(first.path, _line(site, first), step.teks))
    return lines
