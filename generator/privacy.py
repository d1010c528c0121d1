"""Privacy gate: find NIK/No. KK and personal mobile numbers in page text (UU PDP No. 27/2022)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import pairwise

# Kemendagri province codes used in NIK (incl. the 2022 Papua split: 91-96; 97 is unassigned).
PROVINCE_CODES: frozenset[str] = frozenset(
    f"{code:02d}"
    for code in (
        *range(11, 20),
        21,
        *range(31, 37),
        *range(51, 54),
        *range(61, 66),
        *range(71, 77),
        81,
        82,
        *range(91, 97),
    )
)

NIK_LENGTH = 16
PHONE_MIN_DIGITS = 10
PHONE_MAX_DIGITS = 13
_DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_FEMALE_DAY_OFFSET = 40

# Digits joined by single separators; the NIK candidates are sub-runs of these groups.
_DIGIT_RUN = re.compile(r"[0-9]+(?:[ .\-][0-9]+)*")
_DIGIT_GROUP = re.compile(r"[0-9]+")
_NON_DIGITS = re.compile(r"[^0-9]+")
# With every digit and separator made "0", a NIK written in any grouping becomes at least 16
# zeros in a row: a quick test (C speed) that lets most texts skip the digit-run scan.
_DIGITS_AND_SEPARATORS_AS_ZERO = bytes.maketrans(b"0123456789 .-", b"0" * 13)
_DECIMAL_BEFORE = re.compile(r"[0-9][.,]\Z")
# Mobile prefix: 08[1-9] or (+)62 8[1-9], followed by digit groups joined by single separators.
# The leading lookahead only speeds up the scan; the lookbehinds reject digits/decimals before.
_PHONE_CANDIDATE = re.compile(
    r"(?=[(+60])(?<![0-9])(?<![0-9][.,])"
    r"(?:\(\+?62\)[ .\-]?|\+?62[ .\-]?|0)8[1-9][0-9]*(?:[ .\-][0-9]+)*"
)
# The "8" of every candidate's 8[1-9], at most _PHONE_PREFIX_MAX characters after its start
# ("(+62) 8..."): a literal search, much faster than trying the candidate at every position.
_PHONE_EIGHT = re.compile(r"8(?<=[02 .\-)]8)(?=[1-9])")
_PHONE_PREFIX_MAX = 6
# Keywords right before a number that make it a bank account or civil-servant ID, not a phone.
_NON_PHONE_CONTEXT = re.compile(
    r"\b(?:no\.?\s*)?(?:rek(?:ening)?|norek|nib|npwp|nip)\b[^0-9\n]{0,25}\Z",
    re.IGNORECASE,
)
_CONTEXT_WINDOW = 40

_NIK_MESSAGE = (
    "tampaknya berisi NIK/No. KK ({masked}); data kependudukan dilindungi "
    "UU PDP No. 27/2022: hapus nomor ini"
)
_PHONE_MESSAGE = (
    "tampaknya berisi nomor ponsel pribadi ({masked}); data pribadi dilindungi "
    "UU PDP No. 27/2022: hapus nomor ini, atau bila ini kontak resmi kantor/usaha, "
    "daftarkan sebagai kontak yang diizinkan"
)


@dataclass(frozen=True)
class PrivacyFinding:
    """One suspected personal number in a text, already masked for reporting."""

    kind: str
    start: int
    end: int
    masked: str
    message: str


@dataclass(frozen=True)
class _Group:
    """A run of ASCII digits with its offsets in the scanned text."""

    start: int
    end: int
    digits: str


def mask_digits(digits: str) -> str:
    """Mask middle digits: keep 4 leading and 4 (16+ digits) or 3 trailing; short ones fully."""
    only = _NON_DIGITS.sub("", digits)
    head = 4
    tail = 4 if len(only) >= NIK_LENGTH else 3
    if len(only) < head + tail + 3:
        return "x" * len(only)
    return only[:head] + "x" * (len(only) - head - tail) + only[-tail:]


def normalize_phone(number: str) -> str:
    """Reduce a phone number to its digits with a leading 0 instead of +62/62/0062."""
    digits = _NON_DIGITS.sub("", number)
    if digits.startswith("0062"):
        digits = digits[4:]
    elif digits.startswith("62"):
        digits = digits[2:]
    rest = digits.lstrip("0")
    return "0" + rest if rest else ""


def _is_valid_date(day: int, month: int) -> bool:
    """Tell whether a NIK day/month pair (day +40 for women) is a possible calendar date."""
    if day > _FEMALE_DAY_OFFSET:
        day -= _FEMALE_DAY_OFFSET
    return 1 <= month <= 12 and 1 <= day <= _DAYS_IN_MONTH[month - 1]


def is_nik_structure(digits: str) -> bool:
    """Tell whether 16 digits follow the NIK/No. KK layout (region codes, date, serial)."""
    if len(digits) != NIK_LENGTH or not digits.isascii() or not digits.isdigit():
        return False
    return (
        digits[0:2] in PROVINCE_CODES
        and digits[2:4] != "00"
        and digits[4:6] != "00"
        and _is_valid_date(int(digits[6:8]), int(digits[8:10]))
        and digits[12:16] != "0000"
    )


def _looks_like_thousands(groups: list[_Group], separators: set[str]) -> bool:
    """Tell whether grouped digits read as an amount with '.' thousands separators."""
    return (
        separators == {"."}
        and len(groups[0].digits) <= 3
        and all(len(group.digits) == 3 for group in groups[1:])
    )


def _nik_candidate(text: str, groups: list[_Group]) -> bool:
    """Tell whether consecutive groups form a plausibly written NIK."""
    separators = {text[a.end : b.start] for a, b in pairwise(groups)}
    if len(separators) > 1 or (len(groups) > 1 and _looks_like_thousands(groups, separators)):
        return False
    if _DECIMAL_BEFORE.search(text, max(0, groups[0].start - 2), groups[0].start):
        return False
    return is_nik_structure("".join(group.digits for group in groups))


def _nik_spans(text: str, groups: list[_Group]) -> Iterator[list[_Group]]:
    """Yield non-overlapping group sequences of a digit run that hold a valid NIK."""
    index = 0
    while index < len(groups):
        total = 0
        found = 0
        for end in range(index, len(groups)):
            total += len(groups[end].digits)
            if total >= NIK_LENGTH:
                if total == NIK_LENGTH and _nik_candidate(text, groups[index : end + 1]):
                    found = end + 1
                break
        if found:
            yield groups[index:found]
            index = found
        else:
            index += 1


def _may_hold_nik(text: str) -> bool:
    """Quick necessary condition for a NIK: 16 digits with nothing but separators between them."""
    zeros = text.encode("utf-8", "surrogatepass").translate(_DIGITS_AND_SEPARATORS_AS_ZERO)
    return b"0" * NIK_LENGTH in zeros


def _nik_group_spans(text: str) -> Iterator[list[_Group]]:
    """Every NIK / No. KK in a text, as the digit groups it is written in (the full scan)."""
    for run in _DIGIT_RUN.finditer(text):
        if run.end() - run.start() < NIK_LENGTH:
            continue
        groups = [
            _Group(m.start(), m.end(), m.group())
            for m in _DIGIT_GROUP.finditer(text, run.start(), run.end())
        ]
        if sum(len(group.digits) for group in groups) >= NIK_LENGTH:
            yield from _nik_spans(text, groups)


def find_identity_numbers(text: str) -> list[PrivacyFinding]:
    """Find 16-digit NIK / No. KK numbers (contiguous or grouped) in a text."""
    findings: list[PrivacyFinding] = []
    if not _may_hold_nik(text):
        return findings
    for span in _nik_group_spans(text):
        masked = mask_digits("".join(group.digits for group in span))
        findings.append(
            PrivacyFinding(
                kind="nik",
                start=span[0].start,
                end=span[-1].end,
                masked=masked,
                message=_NIK_MESSAGE.format(masked=masked),
            )
        )
    return findings


def _phone_candidates(text: str) -> Iterator[re.Match[str]]:
    """The matches of ``_PHONE_CANDIDATE.finditer(text)``, tried only just before an "8[1-9]"."""
    end = 0
    for eight in _PHONE_EIGHT.finditer(text):
        for start in range(max(end, eight.start() - _PHONE_PREFIX_MAX), eight.start()):
            candidate = _PHONE_CANDIDATE.match(text, start)
            if candidate:
                yield candidate
                end = candidate.end()
                break


def _phone_end(text: str, candidate: re.Match[str]) -> int | None:
    """Return the end of the longest group-aligned prefix with a valid mobile length."""
    best: int | None = None
    for group in _DIGIT_GROUP.finditer(text, candidate.start(), candidate.end()):
        length = len(normalize_phone(text[candidate.start() : group.end()]))
        if length > PHONE_MAX_DIGITS:
            break
        if length >= PHONE_MIN_DIGITS:
            best = group.end()
    return best


def _overlaps(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    """Tell whether [start, end) intersects any of the given spans."""
    return any(start < other_end and other_start < end for other_start, other_end in spans)


def _mobile_numbers(text: str) -> list[tuple[int, int, str]]:
    """Start, end and normalized digits of every mobile number in a text."""
    numbers = []
    for candidate in _phone_candidates(text):
        end = _phone_end(text, candidate)
        if end is not None:
            start = candidate.start()
            numbers.append((start, end, normalize_phone(text[start:end])))
    return numbers


def find_personal_phones(text: str, allowed: Iterable[str] = ()) -> list[PrivacyFinding]:
    """Find Indonesian mobile numbers that are not listed as allowed (official) contacts."""
    numbers = _mobile_numbers(text)
    if numbers:  # most texts hold none; only the others pay for the comparisons and the NIK scan
        listed = set(allowed)
        # A listed number is usually written exactly as listed; only the others need normalizing.
        numbers = [number for number in numbers if text[number[0] : number[1]] not in listed]
        if numbers:
            listed_digits = {normalize_phone(number) for number in listed}
            numbers = [number for number in numbers if number[2] not in listed_digits]
    if not numbers:
        return []
    nik_spans = [(finding.start, finding.end) for finding in find_identity_numbers(text)]
    findings: list[PrivacyFinding] = []
    for start, end, normalized in numbers:
        if _overlaps(start, end, nik_spans):
            continue
        if _NON_PHONE_CONTEXT.search(text, max(0, start - _CONTEXT_WINDOW), start):
            continue
        masked = mask_digits(normalized)
        findings.append(
            PrivacyFinding(
                kind="ponsel",
                start=start,
                end=end,
                masked=masked,
                message=_PHONE_MESSAGE.format(masked=masked),
            )
        )
    return findings


def mask_identity_numbers(text: str) -> str:
    """The text with every NIK / No. KK replaced by its masked form."""
    for finding in reversed(find_identity_numbers(text)):
        text = text[: finding.start] + finding.masked + text[finding.end :]
    return text
