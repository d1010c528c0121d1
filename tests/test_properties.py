"""Property-based tests (Hypothesis) of the YAML and front matter readers, the location parser,
and the privacy gate as seen through ``kelurahan check``.

Examples are kept few enough that the whole module runs in seconds; every property names the
protection it guards, so removing the protection makes it fail.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import PROBLEM_LINE, REPO, run_cli, write_site
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from generator.config import load_config
from generator.errors import ContentError, FieldError
from generator.fields import location_reader
from generator.models import Location
from generator.privacy import PROVINCE_CODES, mask_digits
from generator.yamlio import Mapping, YamlFloat, YamlInt, load_mapping, load_yaml, split_front_matter

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
BOUNDS = load_config(REPO).batas
READ_LOCATION = location_reader(BOUNDS, "kota")

# -- the YAML reader ---------------------------------------------------------------------------

YAMLISH = st.text(alphabet=list(":-[]{}&*!|>'\"#%@`,?~ \n\t\r01aZ.\\\ufeff\u2028\x85é"), max_size=80)
LONG_NUMBERS = st.integers(4301, 6000).map(lambda n: "penduduk: " + "7" * n)


@FAST
@given(st.one_of(st.text(max_size=200), YAMLISH, LONG_NUMBERS))
@example("a: " + "[" * 10000)
@example("a: " + "{b: " * 5000)
@example("- " * 3000 + "x")
@example("a: &x [*x]")
@example("!!python/object/apply:os.system [true]")
@example("a: 1\na: 2")
def test_yaml_reader_raises_only_content_error(text: str) -> None:
    """Whatever staff type, the reader answers with located problems, never with a crash."""
    try:
        load_yaml(text, "kelurahan/x/profil.yaml")
        load_mapping(text, "kelurahan/x/profil.yaml")
    except ContentError as error:
        assert error.problems and all(p.path == "kelurahan/x/profil.yaml" and p.line >= 1 for p in error.problems)


KEYS = st.from_regex(r"[a-z][a-z_]{0,11}", fullmatch=True)
SCALARS = st.one_of(st.text(max_size=40), st.integers(), st.booleans())
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4), max_leaves=10)


def _typed(value: Any) -> Any:
    """A value with its exact type made visible (True == 1 in Python, not here)."""
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, int):
        return ("int", int(value))
    if isinstance(value, str):
        return ("str", value)
    if isinstance(value, list):
        return ("list", [_typed(v) for v in value])
    if isinstance(value, dict):
        return ("map", {k: _typed(v) for k, v in value.items()})
    return (type(value).__name__, value)


@FAST
@given(st.dictionaries(KEYS, VALUES, max_size=6), st.booleans(), st.sampled_from([None, False, True]))
def test_safe_dump_round_trips_exactly(data: dict[str, Any], unicode: bool, flow: bool | None) -> None:
    """Text, whole numbers, booleans and lists written by a YAML library come back unchanged."""
    text = yaml.safe_dump(data, allow_unicode=unicode, sort_keys=False, default_flow_style=flow)
    assume(yaml.safe_load(text) == data)  # PyYAML's own emitter is not perfect (e.g. raw U+0085)
    assert _typed(dict(load_mapping(text, "x.yaml"))) == _typed(data), text


_BOOL_11 = ["y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF"]
_SPECIAL = [".inf", "-.inf", ".nan", ".NaN", "1e3", "1E-3", "+1", "+0.5", "0o17", "0b101", "1,000", "1.", ".5"]
LOOKALIKES = st.one_of(
    st.sampled_from(_BOOL_11 + _SPECIAL),
    st.dates(min_value=dt.date(1900, 1, 1)).map(dt.date.isoformat),
    st.tuples(st.integers(0, 23), st.integers(0, 59)).map(lambda t: f"{t[0]}:{t[1]:02d}"),
    st.tuples(st.integers(0, 99), st.integers(0, 59), st.integers(0, 59))
    .map(lambda t: f"{t[0]}:{t[1]:02d}:{t[2]:02d}"),
    st.from_regex(r"0[0-9]{1,14}", fullmatch=True),  # 08123, 0271..., leading zeros
    st.from_regex(r"[1-9][0-9]{0,2}(_[0-9]{3}){1,3}", fullmatch=True),  # 1_000
    st.from_regex(r"0x[0-9A-Fa-f]{1,8}", fullmatch=True),  # 0x1F
    st.from_regex(r"-?0[0-9]+\.[0-9]+", fullmatch=True),  # 00.5
)


@FAST
@given(LOOKALIKES, st.sampled_from(["plain", "single", "double"]))
@example("no", "plain")
@example("08123", "plain")
@example("12:30", "plain")
@example("1_000", "plain")
@example("0x1F", "plain")
@example("2024-08-17", "plain")
def test_yaml_11_lookalikes_stay_text(token: str, quoting: str) -> None:
    """no, 08123, 12:30, 1_000, 0x1F and dates stay text, quoted or not (no silent YAML 1.1 conversion)."""
    written = {"plain": token, "single": f"'{token}'", "double": f'"{token}"'}[quoting]
    value = load_mapping(f"nilai: {written}\n", "x.yaml")["nilai"]
    assert type(value) is str and value == token


@FAST
@given(st.integers(), st.integers(0, 6), st.integers(0, 10**6))
def test_numbers_remember_how_they_were_written(whole: int, decimals: int, fraction: int) -> None:
    """penduduk: 12345 stays 12345 and 10.000 stays 10.000 when shown (the text is kept)."""
    assume(len(str(abs(whole))) <= 300)
    value = load_mapping(f"a: {whole}\n", "x.yaml")["a"]
    assert isinstance(value, YamlInt) and value == whole and value.text == str(whole)
    if decimals:
        text = f"{whole}.{fraction % 10**decimals:0{decimals}d}"
        number = load_mapping(f"a: {text}\n", "x.yaml")["a"]
        assert isinstance(number, YamlFloat) and number.text == text and number == float(text)


# -- front matter ------------------------------------------------------------------------------

BODY_TEXT = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=200)


@FAST
@given(st.dictionaries(KEYS, SCALARS, min_size=1, max_size=6), BODY_TEXT, st.booleans(), st.booleans(),
       st.integers(0, 2))
def test_front_matter_body_starts_at_the_reported_line(data: dict[str, Any], body: str, crlf: bool, bom: bool,
                                                       comments: int) -> None:
    """The body starts at ``body_line`` and every key is reported at the line where it is written."""
    header = "# catatan\n" * comments + yaml.safe_dump(data, allow_unicode=False, sort_keys=False,
                                                       default_flow_style=False, width=60)
    assume(yaml.safe_load(header) == data and "---" not in header.splitlines())
    newline = "\r\n" if crlf else "\n"
    head = "---\n" + header + "---\n"
    text = ("\ufeff" if bom else "") + head.replace("\n", newline) + body
    front = split_front_matter(text, "kelurahan/x/berita/a.md")
    assert front.body == body
    assert front.body_line == head.count("\n") + 1
    lines = text.removeprefix("\ufeff").split(newline)
    assert newline.join(lines[front.body_line - 1:]) == body
    assert _typed(dict(front.data)) == _typed(data)
    for key in data:
        line = lines[front.data.line_of(key) - 1]
        assert re.match(rf"""['"]?{re.escape(key)}['"]?:""", line), (key, line)


# Every way str.splitlines() breaks a line, whitespace that does not, and near-miss dashes.
FRONT_MATTER_PIECES = st.lists(
    st.sampled_from(["---", "--", "----", "a: 1", "b: x", "#", " ", "\t", "\x1f", "\u3000", "\n", "\r\n", "\r",
                     "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029", "\ufeff"]),
    max_size=30,
).map("".join)


def _outcome(read: Any) -> Any:
    try:
        return read()
    except ContentError as error:
        return [str(problem) for problem in error.problems]


@FAST
@given(st.one_of(FRONT_MATTER_PIECES, FRONT_MATTER_PIECES.map(lambda text: "---\n" + text)))
@example("---\na: 1\n--- \r\nisi\n---\n")
@example("---\x1c---\u2028")
@example("---\x1ea: 1\x1d---\x1disi")
@example("---\x85a: 1\x85---\x85isi")
@example("---\u3000\n---\x1f\t\nisi")
@example("\ufeff---\r\n---\r")
def test_front_matter_is_split_where_splitlines_puts_the_lines(text: str) -> None:
    """The '---' lines are found by a search (the body is never split into lines); the outcome is
    the one of splitting every line and taking the first later line that reads '---'."""
    lines = text.removeprefix("\ufeff").splitlines(keepends=True)
    opened = bool(lines) and lines[0].rstrip() == "---"
    closing = next((i for i in range(1, len(lines)) if lines[i].rstrip() == "---"), None) if opened else None
    outcome = _outcome(lambda: split_front_matter(text, "x.md"))
    if closing is None:
        wanted = "diawali baris '---'" if not opened else "tidak ditutup"
        assert isinstance(outcome, list) and len(outcome) == 1 and outcome[0].startswith("x.md:1: ")
        assert wanted in outcome[0], outcome
        return
    expected = _outcome(lambda: load_mapping("".join(lines[1:closing]), "x.md", first_line=2))
    if isinstance(expected, list):
        assert outcome == expected
    else:
        assert (_typed(dict(outcome.data)), outcome.body, outcome.body_line) == (
            _typed(dict(expected)), "".join(lines[closing + 1:]), closing + 2)


# -- the location parser -----------------------------------------------------------------------


def _coordinate(low: float, high: float) -> st.SearchStrategy[str]:
    """A coordinate inside [low, high] as staff would copy it (1 to 7 decimals)."""
    return st.tuples(st.floats(low, high), st.integers(1, 7)).map(lambda t: f"{t[0]:.{t[1]}f}").filter(
        lambda text: low <= float(text) <= high)


LATS = _coordinate(BOUNDS.south, BOUNDS.north)
LONS = _coordinate(BOUNDS.west, BOUNDS.east)
FORMS = ("mapping", "list", "text", "text-tight", "text-parens", "text-semicolon", "maps-at", "maps-q",
         "maps-q-encoded", "maps-3d4d", "maps-place-3d4d", "maps-search")


def _written(form: str, lat: str, lon: str) -> Any:
    """The value of ``lokasi`` as the YAML reader hands it over, for each accepted way of writing it."""
    if form == "mapping":
        return load_mapping(f"lokasi: {{lat: {lat}, lon: {lon}}}\n", "x.yaml")["lokasi"]
    if form == "list":
        return load_mapping(f"lokasi: [{lat}, {lon}]\n", "x.yaml")["lokasi"]
    return {
        "text": f"{lat}, {lon}",
        "text-tight": f"{lat},{lon}",
        "text-parens": f"({lat}, {lon})",
        "text-semicolon": f"{lat}; {lon}",
        "maps-at": f"https://www.google.com/maps/@{lat},{lon},17z",
        "maps-q": f"https://www.google.com/maps?q={lat},{lon}",
        "maps-q-encoded": f"https://maps.google.com/?q={lat}%2C{lon}&z=17",
        "maps-3d4d": f"https://www.google.com/maps/place/Pasar/data=!4m2!3m1!1s0x0:0x0!3d{lat}!4d{lon}",
        "maps-place-3d4d": f"https://www.google.com/maps/place/Pasar+Gede/@-7.5700,110.8000,15z/data=!3m1!4b1"
                           f"!4m6!3m5!1s0x2e7a:0x1!8m2!3d{lat}!4d{lon}!16s%2Fg%2F11",
        "maps-search": f"https://www.google.com/maps/search/{lat},+{lon}?entry=tts",
    }[form]


@FAST
@given(LATS, LONS, st.sampled_from(FORMS))
def test_location_round_trips_in_every_form(lat: str, lon: str, form: str) -> None:
    assert READ_LOCATION(_written(form, lat, lon)) == Location(float(lat), float(lon))


@FAST
@given(LATS, LONS, st.sampled_from(FORMS))
def test_swapped_latitude_and_longitude_are_explained(lat: str, lon: str, form: str) -> None:
    with pytest.raises(FieldError) as raised:
        READ_LOCATION(_written(form, lon, lat))
    assert "tertukar" in raised.value.hint, (raised.value.message, raised.value.hint)


@FAST
@given(LATS, LONS, st.sampled_from(FORMS))
def test_latitude_without_its_minus_is_explained(lat: str, lon: str, form: str) -> None:
    with pytest.raises(FieldError) as raised:
        READ_LOCATION(_written(form, lat.removeprefix("-"), lon))
    assert "minus" in raised.value.hint, (raised.value.message, raised.value.hint)


def _mapping(items: dict[str, Any]) -> Mapping:
    mapping = Mapping(1)
    mapping.update(items)
    return mapping


ANYTHING = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.integers(10**300, 10**400), st.floats(),
              st.text(max_size=60), st.sampled_from(["https://www.google.com/maps/@", "!3d!4d", "-7.5,", "1e999"])),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3),
                            st.dictionaries(st.sampled_from(["lat", "lon", "x"]), inner, max_size=3).map(_mapping)),
    max_leaves=6,
)


@FAST
@given(ANYTHING)
@example(_mapping({"lat": math.nan, "lon": 110.8}))
@example(_mapping({"lat": -(10**400), "lon": 110.8}))
@example("https://www.google.com/maps/@" + "9" * 400 + ",110.8,17z")
@example("https://www.google.com/maps/place/x/data=!3d" + "9" * 400 + "!4d110.8")
def test_location_parser_raises_only_field_error(value: Any) -> None:
    try:
        result = READ_LOCATION(value)
    except FieldError as error:
        assert error.message
    else:
        assert isinstance(result, Location) and BOUNDS.contains(result.lat, result.lon)


# -- the privacy gate through the CLI ----------------------------------------------------------


@st.composite
def niks(draw: st.DrawFn) -> str:
    """A 16-digit number with the NIK / No. KK structure."""
    province = draw(st.sampled_from(sorted(PROVINCE_CODES)))
    regency, district = draw(st.integers(1, 99)), draw(st.integers(1, 99))
    day = draw(st.integers(1, 28)) + draw(st.sampled_from([0, 40]))
    month, year, serial = draw(st.integers(1, 12)), draw(st.integers(0, 99)), draw(st.integers(1, 9999))
    return f"{province}{regency:02d}{district:02d}{day:02d}{month:02d}{year:02d}{serial:04d}"


# Markdown as staff write it: any character, but only \n (and \t) as control characters, since
# editors disagree on where other line breaks (\r, \v, U+2028...) start a line.
MARKDOWN = st.text(alphabet=st.characters(exclude_categories=["Cs", "Cc", "Zl", "Zp"], include_characters="\n\t"),
                   max_size=300)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(MARKDOWN, niks(), st.sampled_from(["", " ", "-", "."]), MARKDOWN)
@example("Data warga:", "3372010101900001", "", "")
def test_nik_in_any_markdown_is_reported_by_check(before: str, nik: str, separator: str, after: str) -> None:
    written = separator.join(nik[i:i + 4] for i in range(0, 16, 4))
    body = f"{before}\n\nNIK: {written}\n\n{after}\n"
    text = "---\njudul: Data warga\ntanggal: \"2024-08-18\"\n---\n" + body
    line = text[: text.index("NIK: ")].count("\n") + 1
    rel = "kelurahan/melati/berita/data-warga.md"
    with tempfile.TemporaryDirectory() as tmp:
        site = write_site(Path(tmp) / "situs", {rel: text})
        result = run_cli(site, "check")
    assert result.exit_code == 1, result.output
    reported = [entry for entry in result.stderr.splitlines() if PROBLEM_LINE.match(entry)]
    wanted = f"{rel}:{line}: tampaknya berisi NIK/No. KK ({mask_digits(nik)})"
    assert any(entry.startswith(wanted) for entry in reported), (wanted, reported)
    assert nik not in result.output and written not in result.output
