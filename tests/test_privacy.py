"""Tests for the NIK / No. KK and personal phone privacy gate."""

from __future__ import annotations

import re
import time
from itertools import pairwise

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from generator.privacy import (
    _PHONE_CANDIDATE,
    PROVINCE_CODES,
    _may_hold_nik,
    _nik_group_spans,
    _phone_candidates,
    find_identity_numbers,
    find_personal_phones,
    is_nik_structure,
    mask_digits,
    normalize_phone,
)

# Synthetic numbers: Surakarta (33.72), born 1 Jan 1990 / 5 Dec 1985 (woman: day + 40).
NIK_MAN = "3372010101900001"
NIK_WOMAN = "3372054512850002"
NO_KK = "3372011703150003"  # issued 17 Mar 2015


def _digits(text: str) -> str:
    """Keep only ASCII digits."""
    return re.sub(r"[^0-9]", "", text)


# --- NIK / No. KK: positives -------------------------------------------------------------------

NIK_POSITIVES = [
    ("NIK: 3372010101900001", "3372010101900001", "3372xxxxxxxx0001"),
    ("nik: 3372010101900001\nnama: Budi", "3372010101900001", "3372xxxxxxxx0001"),
    ("NIK:3372054512850002.", "3372054512850002", "3372xxxxxxxx0002"),
    ('pemilik: "3372011703150003"', "3372011703150003", "3372xxxxxxxx0003"),
    ("No. KK 3372 0117 0315 0003 terlampir", "3372 0117 0315 0003", "3372xxxxxxxx0003"),
    ("nik 3372 0101 0190 0001", "3372 0101 0190 0001", "3372xxxxxxxx0001"),
    ("337201.010190.0001", "337201.010190.0001", "3372xxxxxxxx0001"),
    ("33.72.01.010190.0001", "33.72.01.010190.0001", "3372xxxxxxxx0001"),
    ("KTP 3372-05-451285-0002", "3372-05-451285-0002", "3372xxxxxxxx0002"),
    ("![ktp](media/foto-3372010101900001.jpg)", "3372010101900001", "3372xxxxxxxx0001"),
    ("media/ktp_3372054512850002_scan.png", "3372054512850002", "3372xxxxxxxx0002"),
    ("NIK 3372010101900001 (2 anak)", "3372010101900001", "3372xxxxxxxx0001"),
    ("3372 0101 0190 0001 12 jiwa", "3372 0101 0190 0001", "3372xxxxxxxx0001"),
    ("Papua Barat Daya 9601014107010009", "9601014107010009", "9601xxxxxxxx0009"),
    ("Aceh 1101012902000001", "1101012902000001", "1101xxxxxxxx0001"),
]


@pytest.mark.parametrize(("text", "number", "masked"), NIK_POSITIVES)
def test_identity_number_found(text: str, number: str, masked: str) -> None:
    findings = find_identity_numbers(text)
    assert len(findings) == 1
    finding = findings[0]
    assert finding.kind == "nik"
    assert text[finding.start : finding.end] == number
    assert finding.masked == masked
    assert masked in finding.message
    assert "UU PDP No. 27/2022" in finding.message
    assert _digits(number) not in _digits(finding.message)
    assert number not in finding.message


def test_two_numbers_in_one_text_are_both_found() -> None:
    text = f"NIK {NIK_MAN}, No. KK {NO_KK}; istri 3372 0545 1285 0002"
    findings = find_identity_numbers(text)
    assert [_digits(text[f.start : f.end]) for f in findings] == [NIK_MAN, NO_KK, NIK_WOMAN]


# --- NIK / No. KK: negatives -------------------------------------------------------------------

NIK_NEGATIVES = [
    ("17 digits", "33720101019000011"),
    ("18 digits", "133720101019000012"),
    ("NIK inside a 20-digit run", "00003372010101900001"),
    ("13-digit NIB", "NIB 9120001234567"),
    ("Kemendagri code", "kode wilayah 33.72.01.1001"),
    ("two Kemendagri codes", "33.72.01.1001 33.72.01.1002"),
    ("postal code", "Surakarta 57111"),
    ("date", "lahir 01-01-1990, tanggal 01/01/1990"),
    ("coordinates", "lokasi: -7.5745, 110.8262"),
    ("long decimal coordinate", "[110.8262, -7.5101014101900001]"),
    ("bank account 10", "rekening 0123456789"),
    ("bank account 13", "rekening 1370012345678"),
    ("bank account 15", "rekening 123456789012345"),
    ("invalid structure", "1234567890123456"),
    ("province 00", "0072010101900001"),
    ("province 20", "2072010101900001"),
    ("province 97 unassigned", "9772010101900001"),
    ("kabupaten 00", "3300010101900001"),
    ("kecamatan 00", "3372000101900001"),
    ("day 00", "3372010001900001"),
    ("day 32", "3372013201900001"),
    ("day 40", "3372014001900001"),
    ("day 72", "3372017201900001"),
    ("month 00", "3372010100900001"),
    ("month 13", "3372010113900001"),
    ("30 February", "3372013002900001"),
    ("71 (31+40) April", "3372017104900001"),
    ("serial 0000", "3372010101900000"),
    ("mobile phone", "HP 0812-3456-7890"),
    ("international phone", "+62 812 3456 7890"),
    ("money with thousand dots", "Rp 3.372.010.101.900.001"),
    ("mixed separators", "3372 0101.0190-0001"),
    ("double separator", "3372  0101  0190  0001"),
    ("office hours", "Senin-Jumat 08.00-12.00 13.00-15.00"),
    ("NIP grouped", "NIP 19800101 200501 1 001"),
]


@pytest.mark.parametrize(("label", "text"), NIK_NEGATIVES)
def test_identity_number_not_found(label: str, text: str) -> None:
    assert find_identity_numbers(text) == [], label


@pytest.mark.parametrize(
    ("digits", "expected"),
    [
        (NIK_MAN, True),
        (NIK_WOMAN, True),
        (NO_KK, True),
        ("3372012902000001", True),  # 29 Feb is accepted for any year
        ("1234567890123456", False),
        ("337201010190000", False),
        ("33720101019000011", False),
        ("".join(chr(ord(c) + 0xFEE0) for c in NIK_MAN), False),  # full-width digits
    ],
)
def test_is_nik_structure(digits: str, expected: bool) -> None:
    assert is_nik_structure(digits) is expected


def test_province_codes_match_kemendagri_list() -> None:
    assert len(PROVINCE_CODES) == 38
    assert {"11", "19", "21", "31", "36", "51", "53", "61", "65", "71", "76", "81", "82"} <= (
        PROVINCE_CODES
    )
    assert {"91", "92", "93", "94", "95", "96"} <= PROVINCE_CODES
    assert not {"00", "10", "20", "22", "30", "37", "50", "54", "60", "66", "77", "83", "97"} & (
        PROVINCE_CODES
    )


# --- phones ------------------------------------------------------------------------------------

PHONE_POSITIVES = [
    ("Hubungi Bu Sri di 0812-3456-789.", "0812-3456-789", "0812xxxx789"),
    ("WA 081234567890", "081234567890", "0812xxxxx890"),
    ("HP: 0857 1234 5678", "0857 1234 5678", "0857xxxxx678"),
    ("telp 0812.3456.7890", "0812.3456.7890", "0812xxxxx890"),
    ("+62 812 3456 7890", "+62 812 3456 7890", "0812xxxxx890"),
    ("+62-812-3456-7890", "+62-812-3456-7890", "0812xxxxx890"),
    ("62 812 3456 7890", "62 812 3456 7890", "0812xxxxx890"),
    ("(+62) 812 3456 789", "(+62) 812 3456 789", "0812xxxx789"),
    ("https://wa.me/6281234567890", "6281234567890", "0812xxxxx890"),
    ("kontak: 0812 3456 7890 2023", "0812 3456 7890", "0812xxxxx890"),
    ("0811234567 (Pak RT)", "0811234567", "0811xxx567"),
    ("HP0896123456789", "0896123456789", "0896xxxxxx789"),
    ("WA +0812 3456 789", "0812 3456 789", "0812xxxx789"),
]


@pytest.mark.parametrize(("text", "number", "masked"), PHONE_POSITIVES)
def test_personal_phone_found(text: str, number: str, masked: str) -> None:
    findings = find_personal_phones(text)
    assert len(findings) == 1
    finding = findings[0]
    assert finding.kind == "ponsel"
    assert text[finding.start : finding.end] == number
    assert finding.masked == masked
    assert masked in finding.message
    assert normalize_phone(number) not in _digits(finding.message)
    assert number not in finding.message


PHONE_NEGATIVES = [
    ("landline with parentheses", "Kantor: (0271) 123456"),
    ("landline with hyphen", "Telp. 0271-123456"),
    ("landline Solo 7-digit", "0271 7123456"),
    ("landline with country code", "+62 271 123456"),
    ("office hours", "Senin-Jumat 08.00-12.00 13.00-15.00, Sabtu 08.00-11.00"),
    ("contiguous NIK", NIK_MAN),
    ("grouped NIK containing 0812", "NIK 3372 0812 0585 0001"),
    ("too short", "0812345"),
    ("too long contiguous", "08123456789012345"),
    ("decimal coordinate", "110.62812345678"),
    ("after another digit", "1081234567890"),
    ("bank account", "No. Rekening BRI: 0851234567"),
    ("bank account short form", "rek. BCA 0812345678"),
    ("NIB", "NIB 0812000123456"),
]


@pytest.mark.parametrize(("label", "text"), PHONE_NEGATIVES)
def test_personal_phone_not_found(label: str, text: str) -> None:
    assert find_personal_phones(text) == [], label


def test_allowed_numbers_are_not_reported_in_any_notation() -> None:
    text = "Kantor: 0812-3456-789; Pak Lurah: +62 857 1111 2222; warga: 0813 9999 8888"
    allowed = ["+62 812 3456 789", "085711112222", "(0271) 123456"]
    findings = find_personal_phones(text, allowed)
    assert [f.masked for f in findings] == ["0813xxxxx888"]
    assert len(find_personal_phones(text)) == 3


def test_allowed_accepts_any_iterable() -> None:
    text = "0812-3456-789"
    assert find_personal_phones(text, iter(["0812 3456 789"])) == []
    assert find_personal_phones(text, ("08123456780",)) != []


def test_phone_and_nik_in_same_text_are_reported_separately() -> None:
    text = f"Pemohon NIK {NIK_MAN} HP 0812 3456 7890"
    ids = find_identity_numbers(text)
    phones = find_personal_phones(text)
    assert [(f.kind, f.masked) for f in ids] == [("nik", "3372xxxxxxxx0001")]
    assert [(f.kind, f.masked) for f in phones] == [("ponsel", "0812xxxxx890")]


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("+62 812-3456-789", "08123456789"),
        ("0812 3456 789", "08123456789"),
        ("628123456789", "08123456789"),
        ("(+62) 812.3456.789", "08123456789"),
        ("+62 (0) 812 3456 789", "08123456789"),
        ("0062 812 3456 789", "08123456789"),
        ("(0271) 123456", "0271123456"),
        ("812 3456 789", "08123456789"),
        ("", ""),
        ("tidak ada", ""),
    ],
)
def test_normalize_phone(raw: str, normalized: str) -> None:
    assert normalize_phone(raw) == normalized


@pytest.mark.parametrize(
    ("digits", "masked"),
    [
        ("3372010101900001", "3372xxxxxxxx0001"),
        ("081234567890", "0812xxxxx890"),
        ("08123456789", "0812xxxx789"),
        ("0812345678", "0812xxx678"),
        ("0812-3456-7890", "0812xxxxx890"),
        ("123456789", "xxxxxxxxx"),
        ("", ""),
    ],
)
def test_mask_digits(digits: str, masked: str) -> None:
    assert mask_digits(digits) == masked


def test_findings_are_frozen() -> None:
    finding = find_identity_numbers(NIK_MAN)[0]
    with pytest.raises(AttributeError):
        finding.start = 3  # type: ignore[misc]


def test_large_text_scans_quickly() -> None:
    paragraph = (
        "Kelurahan Jebres (kode 33.72.04.1001, kode pos 57126) buka 08.00-15.00, "
        "telp (0271) 123456, titik -7.5612, 110.8421; penduduk 12.345 jiwa; "
        "Rp 1.500.000; NIB 9120001234567; kontak 0812-3456-7890.\n"
    )
    text = paragraph * (100_000 // len(paragraph) + 1)
    started = time.perf_counter()
    assert find_identity_numbers(text) == []
    assert find_personal_phones(text, ["0812-3456-7890"]) == []
    assert time.perf_counter() - started < 0.5


# --- properties --------------------------------------------------------------------------------

_NON_DIGIT_TEXT = st.text(
    alphabet=st.characters(exclude_characters="0123456789", exclude_categories=["Cs"]),
    max_size=30,
)
# Separators that never join digit groups, so each digit string stays its own number.
_BREAKING_SEPARATOR = st.text(
    alphabet=st.characters(exclude_characters="0123456789 .-", exclude_categories=["Cs"]),
    min_size=1,
    max_size=5,
)
_NOT_16_DIGITS = st.text(alphabet="0123456789", min_size=1, max_size=40).filter(
    lambda s: len(s) != 16
)


@st.composite
def valid_niks(draw: st.DrawFn) -> str:
    """Draw a structurally valid NIK / No. KK."""
    province = draw(st.sampled_from(sorted(PROVINCE_CODES)))
    regency = draw(st.integers(1, 99))
    district = draw(st.integers(1, 99))
    day = draw(st.integers(1, 28)) + draw(st.sampled_from([0, 40]))
    month = draw(st.integers(1, 12))
    year = draw(st.integers(0, 99))
    serial = draw(st.integers(1, 9999))
    return f"{province}{regency:02d}{district:02d}{day:02d}{month:02d}{year:02d}{serial:04d}"


@given(
    st.lists(st.tuples(_NOT_16_DIGITS, _BREAKING_SEPARATOR), max_size=8),
    _NON_DIGIT_TEXT,
)
@example([("3372010101900001" + "1", " ")], "")
@example([("0" + NIK_MAN, "x"), (NIK_MAN[1:], "x")], "")
def test_no_identity_finding_without_a_16_digit_run(
    parts: list[tuple[str, str]], prefix: str
) -> None:
    text = prefix + "".join(number + separator for number, separator in parts)
    assert find_identity_numbers(text) == []


@given(_NON_DIGIT_TEXT, valid_niks(), _NON_DIGIT_TEXT)
def test_valid_nik_in_text_is_found_once(prefix: str, nik: str, suffix: str) -> None:
    text = prefix + nik + suffix
    findings = find_identity_numbers(text)
    assert len(findings) == 1
    assert (findings[0].start, findings[0].end) == (len(prefix), len(prefix) + 16)
    assert findings[0].masked == nik[:4] + "x" * 8 + nik[-4:]
    assert nik not in findings[0].message
    assert find_personal_phones(text) == []


@given(
    valid_niks(),
    st.sampled_from([" ", ".", "-"]),
    st.sampled_from([(4, 8, 12), (6, 12), (2, 4, 6, 12)]),
)
def test_grouped_valid_nik_is_found(nik: str, separator: str, cuts: tuple[int, ...]) -> None:
    bounds = (0, *cuts, 16)
    grouped = separator.join(nik[a:b] for a, b in pairwise(bounds))
    text = f"NIK: {grouped}."
    findings = find_identity_numbers(text)
    assert [(f.start, f.end) for f in findings] == [(5, 5 + len(grouped))]


_MOBILES = st.from_regex(r"(0|\+62 ?|62)8[1-9][0-9]{2}[ -]?[0-9]{3,4}[ -]?[0-9]{3,4}", fullmatch=True)


@given(st.text(max_size=300), valid_niks(), st.text(max_size=100), _MOBILES, st.text(max_size=300),
       st.lists(st.text(max_size=20), max_size=3))
@example("٣٣٧٢٠١٠١٠١٩٠٠٠٠١ +62 8", NIK_MAN, "", "0812-3456-7890", "", [])
@example("0812" * 20 + " 3372 " * 10, NIK_MAN, "rek", "+62 812 3456 789", "", ["0"])
def test_scanning_finds_what_it_must_and_never_leaks(before: str, nik: str, middle: str, mobile: str, after: str,
                                                     allowed: list[str]) -> None:
    """Around any text, a NIK and an unlisted mobile number (each on its own line, where no
    other digits join them) are found, and no finding's message repeats the digits it found."""
    text = f"{before}\nNIK {nik}\n{middle}\nHP {mobile}\n{after}"
    nik_at = text.index(f"\nNIK {nik}\n") + 5
    mobile_at = text.index(f"\nHP {mobile}\n") + 4
    identities = find_identity_numbers(text)
    assert (nik_at, nik_at + 16) in [(f.start, f.end) for f in identities]
    phones = find_personal_phones(text, allowed)
    unlisted = normalize_phone(mobile) not in {normalize_phone(number) for number in allowed} and mobile not in allowed
    assert not unlisted or (mobile_at, mobile_at + len(mobile)) in [(f.start, f.end) for f in phones]
    for finding in [*identities, *phones]:
        assert 0 <= finding.start < finding.end <= len(text)
        number = _digits(text[finding.start : finding.end])
        assert number not in _digits(finding.message)
        assert "x" in finding.masked


# --- the fast paths agree with the full scans --------------------------------------------------

# Text made of what the scans care about: NIKs, mobile numbers, their prefixes, digit runs, single
# and double separators, decimal marks and a few letters (keywords, non-ASCII, a lone surrogate).
_NUMBERY = st.lists(
    st.one_of(
        valid_niks(),
        st.builds(lambda nik, sep: sep.join((nik[:6], nik[6:12], nik[12:])), valid_niks(), st.sampled_from(" .-")),
        st.from_regex(
            r"(\+?62[ .\-]?|\(\+?62\)[ .\-]?|0)8[1-9][0-9]{0,4}([ .\-][0-9]{1,4}){0,3}", fullmatch=True
        ),
        st.sampled_from(["08", "62", "+62 ", "(+62) ", "(62)", "0812", "81", "3372", "0101", "1990"]),
        st.sampled_from([" ", ".", "-", ",", "  ", "\n", "rek ", "NIB ", "é", "\ud800", "x"]),
        st.text(alphabet="0123456789", max_size=8),
    ),
    max_size=24,
).map("".join)


@given(st.one_of(_NUMBERY, st.text(alphabet="0123456789 .-8(+)2,x", max_size=80), st.text(max_size=80)))
@example("NIK 3372 0101 0190 0001")
@example("NIK 3372-0101-0190-0001")
@example("NIK 3372.0101.0190.0001")
@example("(+62) 812 3456 789 0812-3456-789")
def test_fast_paths_never_hide_what_the_full_scans_find(text: str) -> None:
    """The quick NIK test is true whenever the digit-run scan finds one, and the phone candidates
    found from each "8[1-9]" are exactly those of scanning every position."""
    assert _may_hold_nik(text) or not list(_nik_group_spans(text))
    fast = [match.span() for match in _phone_candidates(text)]
    assert fast == [match.span() for match in _PHONE_CANDIDATE.finditer(text)]


@given(_NUMBERY, st.lists(st.integers(-3, 2), max_size=6))
@example("WA 0812-3456-789 atau 0813 9999 8888", [0, -1])
def test_a_number_listed_as_written_or_normalized_is_allowed_alike(text: str, trims: list[int]) -> None:
    """Numbers found exactly as listed skip normalizing; the outcome must not depend on it."""
    spans = [match.span() for match in _PHONE_CANDIDATE.finditer(text)]
    allowed = [text[start : end + trim] for (start, end), trim in zip(spans, trims, strict=False)]
    normalized = [normalize_phone(number) for number in allowed]
    assert find_personal_phones(text, allowed) == find_personal_phones(text, normalized)
