"""Pure: the content contract as form fields, and form text as the YAML values it means.

Every key ``check`` accepts appears as a field without editor code: the widget follows from the
key's reader in ``fields.py`` (a phone reader gives a phone input, a date reader a date input), and
``foto``/``lokasi`` get the photo and map widgets.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .. import fields as f
from ..config import SiteConfig
from ..sections import Section, entry_fields, profile_fields

BODY = "isi"
_WIDGETS: dict[Any, str] = {
    f.text: "text", f.text_list: "list", f.boolean: "bool", f.date: "date", f.phone: "tel",
    f.url: "url", f.email: "email", f.number: "number", f.whole_number: "number",
}
_LABELS = {
    "nama": "Nama", "judul": "Judul", "ringkasan": "Ringkasan singkat", "foto": "Foto", "contoh": "Masih contoh",
    "sumber": "Sumber", "lokasi": "Lokasi di peta", "lokasi_perkiraan": "Lokasi hanya perkiraan",
    "kategori": "Kategori", "alamat": "Alamat", "jam_buka": "Jam buka", "tiket": "Harga tiket",
    "produk": "Produk", "pemilik": "Pemilik", "nib": "NIB (Nomor Induk Berusaha)", "halal": "Bersertifikat halal",
    "kontak": "Kontak", "telepon": "Telepon", "whatsapp": "WhatsApp", "instagram": "Instagram",
    "email": "Email", "situs": "Situs web", "persyaratan": "Persyaratan", "waktu": "Lama layanan",
    "biaya": "Biaya", "tautan": "Tautan", "tanggal": "Tanggal",
}
_HELP = {
    "list": "satu butir per baris",
    "tel": "misalnya 0812-3456-7890",
    "date": "tahun-bulan-tanggal, misalnya 2024-08-17",
    "url": "alamat lengkap diawali https://",
    "location": "ketuk peta untuk menaruh titik, pakai GPS, atau tempel tautan Google Maps / \"{lat}, {lon}\"",
    "photo": "ambil dengan kamera atau pilih dari galeri (JPG/PNG/WebP)",
    "number": "angka dengan titik desimal, misalnya 1.25",
}


@dataclass(frozen=True)
class FormField:
    """One input of a form: ``name`` is the key, dotted for nested keys (``kontak.whatsapp``)."""

    name: str
    label: str
    widget: str
    required: bool = False
    help: str = ""


def widget_of(spec: f.Field) -> str:
    """The input that fits a key of the contract."""
    if spec.name == "foto":
        return "photo"
    if spec.name == "lokasi" or getattr(spec.read, "__qualname__", "").startswith("location_reader"):
        return "location"
    return _WIDGETS.get(spec.read, "text")


def _label(name: str) -> str:
    return _LABELS.get(name, name.replace("_", " ").capitalize())


def form_fields(specs: Sequence[f.Field], example: tuple[str, str], prefix: str = "") -> tuple[FormField, ...]:
    """The contract's keys as form fields, nested keys flattened in order; ``example`` is the
    point the location help shows (``fields.example_point``)."""
    result: list[FormField] = []
    for spec in specs:
        if spec.fields:
            result += form_fields(spec.fields, example, f"{prefix}{spec.name}.")
            continue
        widget = widget_of(spec)
        hint = _HELP.get(widget, "").format(lat=example[0], lon=example[1])
        result.append(FormField(prefix + spec.name, _label(spec.name), widget, spec.required, hint))
    return tuple(result)


def entry_form(section: Section, config: SiteConfig) -> tuple[FormField, ...]:
    """The form of one section's items (front matter keys; the body is separate)."""
    return form_fields(entry_fields(section, config.batas, config.daerah), f.example_point(config.batas))


def profile_form(config: SiteConfig) -> tuple[FormField, ...]:
    """The form of ``profil.yaml``."""
    return form_fields(profile_fields(tuple(k.slug for k in config.kecamatan), config.batas, config.daerah),
                       f.example_point(config.batas))


def lookup(data: Mapping[str, Any], dotted: str) -> Any:
    """The value at a dotted key, or None."""
    value: Any = data
    for part in dotted.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def _scalar_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(getattr(value, "text", value))


def as_form_text(value: Any, widget: str) -> str:
    """How a value read by the strict loader is shown in its input."""
    if value is None:
        return ""
    if widget == "bool" and isinstance(value, bool):
        return "ya" if value else "tidak"
    if isinstance(value, list):
        return "\n".join(_scalar_text(item) for item in value)
    if isinstance(value, Mapping) and widget == "location":
        return f"{_scalar_text(value.get('lat'))}, {_scalar_text(value.get('lon'))}"
    if isinstance(value, Mapping):
        return ""
    return _scalar_text(value)


def form_values(data: Mapping[str, Any], fields: Sequence[FormField]) -> dict[str, str]:
    """Every field's text as the form shows it."""
    return {field.name: as_form_text(lookup(data, field.name), field.widget) for field in fields}


_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(\.[0-9]+)?")
_PAIR = re.compile(r"\s*\(?\s*(-?\d{1,3}(?:\.\d+)?)\s*[,;]\s*(-?\d{1,3}(?:\.\d+)?)\s*\)?\s*")


def clean_text(raw: str) -> str:
    """Form text with Windows line ends and surrounding blanks removed."""
    return raw.replace("\r\n", "\n").replace("\r", "\n").strip()


def yaml_value(raw: str, widget: str) -> Any:
    """The YAML value a field's text means; None removes the key.

    Text that does not fit the widget is kept as written, so the checks report it in their words."""
    text = clean_text(raw)
    if not text:
        return None
    if widget == "list":
        items = [line.strip().removeprefix("- ").strip() for line in text.split("\n")]
        return [item for item in items if item] or None
    if widget == "bool" and text in ("ya", "tidak"):
        return text == "ya"
    if widget == "number" and _NUMBER.fullmatch(text):
        return float(text) if "." in text else int(text)
    if widget == "location":
        pair = _PAIR.fullmatch(text)
        if pair:
            return {"lat": float(pair.group(1)), "lon": float(pair.group(2))}
    return " ".join(text.split("\n")) if widget != "text" else text


def changed_values(before: Mapping[str, str], submitted: Mapping[str, str],
                   fields: Sequence[FormField]) -> dict[str, Any]:
    """The fields whose text differs from when the form was opened, as YAML values."""
    changes: dict[str, Any] = {}
    for field in fields:
        new = clean_text(submitted.get(field.name, ""))
        if new != clean_text(before.get(field.name, "")):
            changes[field.name] = yaml_value(new, field.widget)
    return changes
