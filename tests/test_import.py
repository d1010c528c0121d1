"""``kelurahan import``: messy spreadsheets (made here with openpyxl) become checked Markdown files."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import assert_exit, run_cli
from openpyxl import Workbook

HEADER = ["No", "NAMA USAHA", "jenis usaha", "Produk", "Nama Pemilik", "No. HP", "WA", "Titik Koordinat",
          "Lintang", "Bujur", "Keterangan", "Halal", "Kolom Bebas"]
NIK = "3372014508900003"
# (row values by header, expected status, a piece of the expected message or file content)
GOOD: list[tuple[dict[str, Any], dict[str, Any]]] = [
    ({"NAMA USAHA": "Batik Sekar", "No. HP": 81234567001, "Titik Koordinat": "-7.5661, 110.7901"},
     {"kontak": {"telepon": "081234567001"}, "lokasi": {"lat": -7.5661, "lon": 110.7901}}),
    ({"NAMA USAHA": "Soto Bu Tini", "No. HP": "+62 812-3456-7002",
      "Titik Koordinat": "https://www.google.com/maps/place/Soto/@-7.5662,110.7902,17z"},
     {"kontak": {"telepon": "081234567002"}, "lokasi": {"lat": -7.5662, "lon": 110.7902}}),
    ({"NAMA USAHA": "Wedang Uwuh Pak Jo", "No. HP": "(0271) 712003", "Lintang": -7.5663, "Bujur": 110.7903},
     {"kontak": {"telepon": "0271712003"}, "lokasi": {"lat": -7.5663, "lon": 110.7903}}),
    ({"NAMA USAHA": "Keripik Tempe Sari", "WA": "0812.3456.7004", "Lintang": "-7,5664", "Bujur": "110,7904"},
     {"kontak": {"whatsapp": "081234567004"}, "lokasi": {"lat": -7.5664, "lon": 110.7904}}),
    ({"NAMA USAHA": "Jahit Rapi", "No. HP": "0812 3456 7005 / 0813 1111 2222",
      "Titik Koordinat": "-7,5665; 110,7905"},
     {"kontak": {"telepon": "081234567005"}, "lokasi": {"lat": -7.5665, "lon": 110.7905}}),
    ({"NAMA USAHA": "Roti Kembang", "Produk": "Roti manis, roti tawar; donat", "Halal": "Sudah",
      "Titik Koordinat": "-7.5666,110.7906"},
     {"produk": ["Roti manis", "roti tawar", "donat"], "halal": True}),
    ({"NAMA USAHA": "Sate Kere", "Halal": "belum", "Titik Koordinat": "(-7.5667, 110.7907)",
      "Keterangan": "Sate tempe gembus khas Solo."},
     {"halal": False, "_body": "Sate tempe gembus khas Solo."}),
    ({"NAMA USAHA": "Toko Kelontong Maju", "Nama Pemilik": "Pak Harjo", "Titik Koordinat": "-7.5668, 110.7908"},
     {"pemilik": "Pak Harjo"}),
    ({"NAMA USAHA": "Laundry Bersih: Kilat", "Titik Koordinat": "-7.5669, 110.7909"},
     {"nama": "Laundry Bersih: Kilat"}),
    ({"NAMA USAHA": "Bengkel \"Jaya\" Motor", "WA": 6281234567010, "Titik Koordinat": "-7.5670, 110.7910"},
     {"nama": "Bengkel \"Jaya\" Motor", "kontak": {"whatsapp": "081234567010"}}),
    ({"NAMA USAHA": "Gudeg Bu Darmi", "Titik Koordinat": "-7.5671 , 110.7911"}, {}),
    ({"NAMA USAHA": "Serabi Notosuman Mini", "Titik Koordinat": "-7.5672, 110.7912"}, {}),
    ({"NAMA USAHA": "Es Dawet Telasih", "Titik Koordinat": "-7.5673, 110.7913"}, {}),
    ({"NAMA USAHA": "Kerajinan Wayang Kardus", "Titik Koordinat": "-7.5674, 110.7914"}, {}),
    ({"NAMA USAHA": "Cetak Sablon Kaos", "Titik Koordinat": "-7.5675, 110.7915"}, {}),
    ({"NAMA USAHA": "Pijat Refleksi Sehat", "Titik Koordinat": "-7.5682, 110.7922", "jenis usaha": "Jasa"},
     {"kategori": "Jasa"}),
    ({"NAMA USAHA": "Lumpia Semarangan", "WA": "62 857 1111 3333", "Titik Koordinat": "-7.5683, 110.7923"},
     {"kontak": {"whatsapp": "085711113333"}}),
]


def _sheet_rows() -> list[tuple[str, list[Any] | None, str]]:
    """(label, cells, expected status) for the 30 data rows; None cells = a blank row."""
    def row(values: dict[str, Any]) -> list[Any]:
        return [values.get(h) for h in HEADER]

    rows: list[tuple[str, list[Any] | None, str]] = []
    for n, (values, _) in enumerate(GOOD, 1):
        rows.append((values["NAMA USAHA"], row({"No": n, **values}), "diimpor"))
        if n in (3, 9):
            rows.append(("kosong", None, "dilewati"))
    rows += [
        ("judul", row({"No": "MAKANAN DAN MINUMAN"}), "dilewati-judul"),  # merged across the row below
        ("kosong", None, "dilewati"),
        ("nik", row({"NAMA USAHA": "Warung Rahasia", "No. HP": NIK, "Titik Koordinat": "-7.5676, 110.7916"}),
         "perbaiki"),
        ("tanpa-lokasi", row({"NAMA USAHA": "Tanpa Lokasi"}), "perbaiki"),
        ("tanpa-nama", row({"jenis usaha": "Kuliner", "Titik Koordinat": "-7.5677, 110.7917"}), "perbaiki"),
        ("luar-kota", row({"NAMA USAHA": "Jauh Sekali", "Titik Koordinat": "-6.2000, 106.8166"}), "perbaiki"),
        ("tertukar", row({"NAMA USAHA": "Koordinat Tertukar", "Titik Koordinat": "110.7918, -7.5678"}), "perbaiki"),
        ("ganda", row({"NAMA USAHA": "Batik Sekar", "Titik Koordinat": "-7.5679, 110.7919"}), "dilewati"),
        ("telepon-salah", row({"NAMA USAHA": "Nomor Pendek", "No. HP": "12", "Titik Koordinat": "-7.5680, 110.792"}),
         "perbaiki"),
        ("ponsel-di-teks", row({"NAMA USAHA": "Ponsel Di Teks", "Titik Koordinat": "-7.5681, 110.7921",
                                "Keterangan": "Pesan lewat 0856-1234-9876 ya"}), "perbaiki"),
        ("tautan-tanpa-koordinat", row({"NAMA USAHA": "Tautan Kosong",
                                        "Titik Koordinat": "https://maps.app.goo.gl/abcdef"}), "perbaiki"),
    ]
    return rows


def _workbook(path: Path) -> dict[int, tuple[str, str]]:
    """Write the messy sheet; return sheet row number → (label, expected status)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.cell(row=1, column=1, value="DAFTAR UMKM KELURAHAN MAWAR (data 2025)")
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
    for column, title in enumerate(HEADER, 1):
        sheet.cell(row=3, column=column, value=title)
    expected: dict[int, tuple[str, str]] = {}
    for number, (label, cells, status) in enumerate(_sheet_rows(), start=4):
        for column, value in enumerate(cells or [], 1):
            if value is not None:
                sheet.cell(row=number, column=column, value=value)
        if status == "dilewati-judul":
            sheet.merge_cells(start_row=number, start_column=1, end_row=number, end_column=len(HEADER))
            status = "dilewati"
        expected[number] = (label, status)
    # "jenis usaha" written once for the first three businesses, in a cell merged downwards
    first = next(n for n, (label, _) in expected.items() if label == "Batik Sekar")
    sheet.cell(row=first, column=HEADER.index("jenis usaha") + 1, value="Kerajinan")
    sheet.merge_cells(start_row=first, start_column=3, end_row=first + 2, end_column=3)
    book.save(path)
    return expected


@pytest.fixture
def messy(tmp_path: Path) -> tuple[Path, dict[int, tuple[str, str]]]:
    path = tmp_path / "umkm mawar.xlsx"
    return path, _workbook(path)


def _verdicts(output: str, sheet: Path) -> dict[int, tuple[str, str]]:
    found: dict[int, tuple[str, str]] = {}
    for line in output.splitlines():
        match = re.fullmatch(re.escape(str(sheet)) + r":(\d+): (diimpor|akan diimpor|dilewati|perlu diperbaiki): (.*)",
                             line)
        if match:
            number = int(match.group(1))
            assert number not in found, f"row {number} reported twice"
            found[number] = (match.group(2), match.group(3))
    return found


def _front(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8").split("---")[1])
    assert isinstance(data, dict)
    return data


def test_messy_xlsx_imports_with_a_report_per_row(site: Path, messy: tuple[Path, dict[int, tuple[str, str]]]
                                                  ) -> None:
    sheet, expected = messy
    assert len(expected) == 30
    result = run_cli(site, "import", "umkm", sheet, "--ke", "mawar")
    assert_exit(result, 1)  # some rows need fixing
    verdicts = _verdicts(result.stdout, sheet)
    assert sorted(verdicts) == sorted(expected), result.stdout
    words = {"diimpor": "diimpor", "dilewati": "dilewati", "perbaiki": "perlu diperbaiki"}
    for number, (label, status) in expected.items():
        assert verdicts[number][0] == words[status], (number, label, verdicts[number])
    assert f"Ringkasan: {len(GOOD)} diimpor, 5 dilewati, 8 perlu diperbaiki (30 baris)." in result.stdout
    assert "kolom 'Kolom Bebas' tidak dikenal, diabaikan" in result.output
    by_label = {label: verdicts[n][1] for n, (label, _) in expected.items()}
    assert by_label["kosong"] == "baris kosong"
    assert by_label["judul"].startswith("baris judul")
    assert by_label["ganda"].startswith("nama sama dengan baris")
    assert by_label["nik"].startswith("diblokir: sel telepon tampaknya berisi NIK/No. KK")
    assert NIK not in result.output
    assert by_label["tanpa-lokasi"].startswith("lokasi kosong")
    assert by_label["tanpa-nama"].startswith("nama kosong")
    assert "berada di luar wilayah kota" in by_label["luar-kota"]
    assert "tertukar" in by_label["tertukar"]
    assert "nomor telepon tidak valid" in by_label["telepon-salah"]
    assert "nomor ponsel pribadi" in by_label["ponsel-di-teks"]
    assert "tidak memuat koordinat" in by_label["tautan-tanpa-koordinat"]

    folder = site / "kelurahan" / "mawar" / "umkm"
    for values, wanted in GOOD:
        name = values["NAMA USAHA"]
        path = folder / (re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") + ".md")
        assert path.is_file(), name
        front = _front(path)
        assert front["nama"] == name
        for key, value in wanted.items():
            if key == "_body":
                assert path.read_text(encoding="utf-8").split("---", 2)[2].strip() == value
            else:
                assert front[key] == value, (name, key)
    assert _front(folder / "batik-sekar.md")["kategori"] == "Kerajinan"
    assert _front(folder / "wedang-uwuh-pak-jo.md")["kategori"] == "Kerajinan"  # merged cell filled down
    assert "kategori" not in _front(folder / "keripik-tempe-sari.md")
    check = run_cli(site, "check", "mawar")
    assert_exit(check, 0)


def test_import_never_overwrites_without_timpa(site: Path, messy: tuple[Path, dict[int, tuple[str, str]]]) -> None:
    sheet, _ = messy
    run_cli(site, "import", "umkm", sheet, "--ke", "mawar")
    target = site / "kelurahan" / "mawar" / "umkm" / "batik-sekar.md"
    target.write_text(target.read_text(encoding="utf-8") + "Catatan petugas.\n", encoding="utf-8")
    again = run_cli(site, "import", "umkm", sheet, "--ke", "mawar")
    assert "kelurahan/mawar/umkm/batik-sekar.md sudah ada; pakai --timpa untuk menimpanya" in again.stdout
    assert f"Ringkasan: 0 diimpor, {5 + len(GOOD)} dilewati" in again.stdout
    assert "Catatan petugas." in target.read_text(encoding="utf-8")
    forced = run_cli(site, "import", "umkm", sheet, "--ke", "mawar", "--timpa")
    assert f"Ringkasan: {len(GOOD)} diimpor" in forced.stdout
    assert "Catatan petugas." not in target.read_text(encoding="utf-8")


def test_dry_run_writes_nothing(site: Path, messy: tuple[Path, dict[int, tuple[str, str]]]) -> None:
    sheet, _ = messy
    before = sorted(p.name for p in (site / "kelurahan" / "mawar" / "umkm").iterdir())
    result = run_cli(site, "import", "umkm", sheet, "--ke", "mawar", "--dry-run")
    assert_exit(result, 1)
    assert result.stdout.count(": akan diimpor: ") == len(GOOD)
    assert "Tidak ada berkas yang ditulis (--dry-run)." in result.stdout
    assert sorted(p.name for p in (site / "kelurahan" / "mawar" / "umkm").iterdir()) == before


def test_wisata_csv_with_semicolons_and_bom(site: Path, tmp_path: Path) -> None:
    sheet = tmp_path / "wisata.csv"
    sheet.write_bytes("\ufeffNama Tempat;Jam Buka;HTM;Lokasi;Alamat\n"
                      "Taman Kota;08.00-17.00;Gratis;-7.5655, 110.7895;Jl. Taman 1\n"
                      ";;;;\n"
                      "Museum Kecil;09.00-15.00;Rp5.000;https://maps.google.com/?q=-7.5658,110.7898;\n"
                      .encode())
    result = run_cli(site, "import", "wisata", sheet, "--ke", "mawar")
    assert_exit(result, 0)
    assert f"{sheet}:2: diimpor: Taman Kota -> kelurahan/mawar/wisata/taman-kota.md" in result.stdout
    assert f"{sheet}:3: dilewati: baris kosong" in result.stdout
    front = _front(site / "kelurahan/mawar/wisata/museum-kecil.md")
    assert front == {"nama": "Museum Kecil", "jam_buka": "09.00-15.00", "tiket": "Rp5.000",
                     "lokasi": {"lat": -7.5658, "lon": 110.7898}}
    assert_exit(run_cli(site, "check", "mawar"), 0)


@pytest.mark.parametrize(("name", "content", "message"), [
    ("rusak.xlsx", b"PK\x03\x04 rusak", "berkas tidak bisa dibaca"),
    ("lama.xls", b"\xd0\xcf\x11\xe0 format lama", "berkas tidak bisa dibaca"),
    ("tanpa-judul.csv", b"Judul A,Judul B\n1,2\n", "baris judul kolom tidak ditemukan"),
])
def test_unreadable_sheets_are_clear_errors(site: Path, tmp_path: Path, name: str, content: bytes,
                                            message: str) -> None:
    sheet = tmp_path / name
    sheet.write_bytes(content)
    result = run_cli(site, "import", "umkm", sheet, "--ke", "mawar")
    assert_exit(result, 1)
    assert re.search(re.escape(str(sheet)) + r":1: " + message, result.output), result.output


def test_unknown_kelurahan_is_a_usage_error(site: Path, messy: tuple[Path, Any],
                                            make_site: Callable[..., Path]) -> None:
    sheet, _ = messy
    result = run_cli(site, "import", "umkm", sheet, "--ke", "tidak-ada")
    assert_exit(result, 2)
    assert "kelurahan 'tidak-ada' tidak ada" in result.output
