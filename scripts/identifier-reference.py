#!/usr/bin/env python3
"""Reference verdicts for the identifier checks (ParcoursIdentifiers), from python-stdnum.

Generates a deterministic (seeded) set of SIREN, SIRET and intra-EU VAT numbers — valid ones built with
correct check digits, and invalid ones (wrong check digit, wrong length, letters, all zeros, La Poste
establishments, unknown prefixes, every member state) — asks python-stdnum for its verdict, and writes
Tests/ParcoursIdentifiersTests/Fixtures/reference.json: a list of {"kind", "value", "valid"}.
stdnum has no RIDET or TAHITI module: hand-written cases are added for those (HAND_WRITTEN below).
The Swift test ReferenceComparisonTests checks that every verdict agrees.

Regenerate (from the repository root):

    python3 -m venv /tmp/stdnum-venv
    /tmp/stdnum-venv/bin/pip install 'python-stdnum==2.2'
    /tmp/stdnum-venv/bin/python scripts/identifier-reference.py

For a one-off fuzzing run, write elsewhere and point nothing at it permanently, e.g.
`--seed 7 --scale 20 --output /tmp/reference.json` then copy it over the fixture, run the Swift tests and
regenerate the committed file. The output only depends on SEED and on the stdnum version (pinned above; the script refuses another
version unless --any-version is given, since verdicts may change between versions).

Known, deliberate differences (see KNOWN_DIFFERENCES): the cases below are left out of the file when
stdnum's verdict differs from ours; they are covered by the Swift unit tests instead.
- All-zero SIREN/SIRET (and a SIRET or French VAT number whose SIREN part is all zeros): they pass Luhn,
  so stdnum accepts them; INSEE never attributes them and our business rule refuses them.
- La Poste SIRETs (SIREN 356000000) that pass Luhn but whose digit sum is not a multiple of 5: stdnum
  only applies the sum rule (except to the head office); INSEE's rule, which we follow, accepts both.
- VAT prefix GR: stdnum accepts it as an alias of EL; VIES only knows EL, so we refuse GR with a hint.
- VAT prefixes XI (Northern Ireland), EU and IM (non-Union OSS schemes): stdnum accepts them; they are
  not one of the 27 member states that the VAT check is defined for.
- A separator inside the VAT country prefix ("E L094259216"): we ignore separators wherever they are;
  stdnum reads the first two characters as the prefix.
Values only use separators both sides ignore (spaces, and dots/dashes where the country's stdnum module
strips them): we also strip NBSP, and stdnum strips more characters for some countries ('/', ',', ':').
"""

import argparse
import itertools
import json
import pathlib
import random
import sys
from collections import Counter

import stdnum
from stdnum import luhn
from stdnum.eu import vat
from stdnum.fr import siren, siret

STDNUM_VERSION = "2.2"
SEED = 20250611
OUTPUT = pathlib.Path(__file__).resolve().parent.parent / "Tests/ParcoursIdentifiersTests/Fixtures/reference.json"

DIGITS = "0123456789"
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
MEMBER_STATES = [
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "ES", "FI", "FR", "HR", "HU", "IE", "IT", "LT",
    "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
]
LA_POSTE = "356000000"
LA_POSTE_HEAD_OFFICE = "35600000000048"

rng = random.Random(SEED)
SCALE = 1  # --scale: more cases per kind, for a one-off fuzzing run (not for the committed file)


def many(count):
    return range(count * SCALE)


def digits(count):
    return "".join(rng.choice(DIGITS) for _ in range(count))


def nonzero():
    return rng.choice("123456789")


def luhn_complete(stem):
    return stem + luhn.calc_check_digit(stem)


def clean(value):
    """Our normalisation, for the known-difference rules."""
    return "".join(c for c in value if not c.isspace() and c not in ".-").upper()


# ---------------------------------------------------------------- known differences

def known_difference(kind, value):
    """(reason, our verdict) when `value` belongs to a class where our rule deliberately differs."""
    number = clean(value)
    if kind in ("siren", "siret") and number.isdigit() and set(number) == {"0"}:
        return "all-zero number", False
    if kind == "siret" and len(number) == 14 and number.isdigit():
        if set(number[:9]) == {"0"}:
            return "SIRET with an all-zero SIREN part", False
        if (number.startswith(LA_POSTE) and number != LA_POSTE_HEAD_OFFICE and luhn.is_valid(number)
                and sum(map(int, number)) % 5 != 0):
            return "La Poste SIRET valid by Luhn only", True
    if kind == "vat":
        if value.strip()[:2].upper() != number[:2]:
            return "separator inside the country prefix", vat.is_valid(number)
        prefix = number[:2]
        if prefix == "GR":
            return "GR prefix (Greece is EL)", False
        if prefix in ("XI", "EU", "IM"):
            return "non-member-state prefix accepted by stdnum", False
        if prefix == "FR" and len(number) == 13 and number[4:] == "0" * 9:
            return "French VAT number with an all-zero SIREN", False
    return None


# ---------------------------------------------------------------- invalid variants

def mutate(body):
    """A random small corruption of `body`: what a person mistyping would produce."""
    if not body:
        return digits(3)
    position = rng.randrange(len(body))
    kind = rng.randrange(7)
    char = body[position]
    if kind == 0:  # another character of the same class
        pool = DIGITS if char.isdigit() else LETTERS
        return body[:position] + rng.choice(pool.replace(char, "") or pool) + body[position + 1:]
    if kind == 1 and len(body) > 1:  # two adjacent characters swapped
        position = min(position, len(body) - 2)
        return body[:position] + body[position + 1] + body[position] + body[position + 2:]
    if kind == 2:  # a character missing
        return body[:position] + body[position + 1:]
    if kind == 3:  # a digit too many
        return body[:position] + rng.choice(DIGITS) + body[position:]
    if kind == 4:  # a letter instead of a digit
        return body[:position] + rng.choice(LETTERS) + body[position + 1:]
    if kind == 5:  # the last character changed (the check character, usually)
        pool = DIGITS if body[-1].isdigit() else LETTERS
        return body[:-1] + rng.choice(pool.replace(body[-1], "") or pool)
    return body + rng.choice(DIGITS)


def group(text, separators):
    """`text` cut in groups of 2 to 4 characters joined by one of `separators`."""
    parts, rest = [], text
    while rest:
        size = rng.randint(2, 4)
        parts.append(rest[:size])
        rest = rest[size:]
    return rng.choice(separators).join(parts)


# ---------------------------------------------------------------- SIREN and SIRET

def siren_cases():
    values = []
    for _ in many(1500):
        values.append(luhn_complete(nonzero() + digits(7)))
    valid = list(values)
    for _ in many(1200):
        values.append(mutate(rng.choice(valid)))
    for _ in many(200):
        values.append(digits(rng.choice([0, 1, 5, 8, 10, 11, 14])))
    values += ["000000000", "000 000 000", "0000000000", "356000000", "123456789", "732829320", "552008443"]
    return [present_french(v) for v in values]


def siret_cases():
    values = []
    for _ in many(1500):
        values.append(luhn_complete(luhn_complete(nonzero() + digits(7)) + digits(4)))
    valid = list(values)
    for _ in many(1200):
        values.append(mutate(rng.choice(valid)))
    for _ in many(200):
        # a SIREN failing its check digit inside a 14-digit number that passes Luhn
        stem = nonzero() + digits(8)
        if not luhn.is_valid(stem):
            values.append(luhn_complete(stem + digits(4)))
    for _ in many(600):  # La Poste: random establishment numbers
        values.append(LA_POSTE + digits(5))
    for _ in many(300):  # La Poste: digit sum made a multiple of 5
        stem = LA_POSTE + digits(4)
        last = (-sum(map(int, stem))) % 5
        values.append(stem + str(last + 5 * rng.randint(0, 1)))
    for _ in many(100):  # La Poste: Luhn-valid establishment numbers
        values.append(luhn_complete(LA_POSTE + digits(4)))
    for _ in many(200):
        values.append(digits(rng.choice([0, 9, 13, 15])))
    values += [
        "00000000000000", "000000000 00000", "00000000000018", "00000000100006", LA_POSTE_HEAD_OFFICE,
        "35600000000000", "73282932000074", "73282932000079", "35600000000093", "35600000049837",
    ]
    return [present_french(v) for v in values]


def present_french(value):
    """SIREN/SIRET as people write them: plain, or in groups with spaces or dots (stdnum strips ' .')."""
    style = rng.randrange(6)
    if style == 0 and value:
        return " ".join([value[:3], value[3:6], value[6:9], value[9:]]).strip()
    if style == 1:
        return group(value, [".", " "])
    if style == 2:
        return " " + value + " "
    return value


# ---------------------------------------------------------------- VAT

def date_parts(first_year, last_year):
    year = rng.randint(first_year, last_year)
    month = rng.randint(1, 12)
    day = rng.randint(1, 28 if month == 2 else 30)
    if rng.random() < 0.05:
        day, month = rng.choice([(29, 2), (31, 4), (31, 12), (0, 5), (15, 13), (30, 2)])
    return year, month, day


def egn_stem():
    year, month, day = date_parts(1850, 2099)
    if year >= 2000:
        month += 40
    elif year < 1900:
        month += 20
    return "%02d%02d%02d" % (year % 100, month, day) + digits(3)


def birth_number_stem(length):
    if length == 10:
        year, month, day = date_parts(1954, 2053)
    else:
        year, month, day = date_parts(1880, 1953)
    month += rng.choice([0, 0, 50, 20, 70])
    stem = "%02d%02d%02d" % (year % 100, month, day)
    return stem + digits(length - 7)


def latvian_stem():
    year, month, day = date_parts(1850, 2099)
    return "%02d%02d%02d" % (day, month, year % 100) + str((year - 1800) // 100) + digits(3)


def cnp_stem():
    sex = rng.choice("123456789")
    century = {"1": 1900, "2": 1900, "3": 1800, "4": 1800, "5": 2000, "6": 2000}.get(sex, 1900)
    year, month, day = date_parts(century, century + 99)
    county = rng.choice(["01", "12", "40", "46", "51", "52", "70", "80", "83", "49", "00", "99"])
    return sex + "%02d%02d%02d" % (year % 100, month, day) + county + digits(3)


def italian_office():
    return rng.choice(["%03d" % rng.randint(1, 100), "120", "121", "888", "999", "%03d" % rng.randint(101, 998)])


IE_LETTERS = "WABCDEFGHIJKLMNOPQRSTUV"
FR_KEY = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"

# Per member state: generators of (stem, alphabet of the check characters, how many, suffix); the valid
# numbers are the stems completed with check characters that stdnum accepts.
STEMS = {
    "AT": [lambda: ("U" + digits(7), DIGITS, 1, "")],
    "BE": [lambda: (rng.choice("01") + digits(7), DIGITS, 2, "")],
    "BG": [
        lambda: (digits(8), DIGITS, 1, ""),
        lambda: (egn_stem(), DIGITS, 1, ""),
        lambda: (digits(9), DIGITS, 1, ""),
    ],
    "CY": [lambda: (rng.choice("0134569") + digits(7), LETTERS, 1, "")],
    "CZ": [
        lambda: (rng.choice("012345678") + digits(6), DIGITS, 1, ""),
        lambda: ("6" + digits(7), DIGITS, 1, ""),
        lambda: (birth_number_stem(10), DIGITS, 1, ""),
        lambda: (birth_number_stem(9), DIGITS, 1, ""),
    ],
    "DE": [lambda: (nonzero() + digits(7), DIGITS, 1, "")],
    "DK": [lambda: (nonzero() + digits(6), DIGITS, 1, "")],
    "EE": [lambda: ("10" + digits(6), DIGITS, 1, ""), lambda: (digits(8), DIGITS, 1, "")],
    "EL": [lambda: (digits(8), DIGITS, 1, ""), lambda: ("0" + digits(7), DIGITS, 1, "")],
    "ES": [
        lambda: (rng.choice("ABCDEFGHJNPQRSUVW") + digits(7), DIGITS + "JABCDEFGHI", 1, ""),
        lambda: (digits(8), LETTERS, 1, ""),
        lambda: (rng.choice("XYZ") + digits(7), LETTERS, 1, ""),
        lambda: (rng.choice("KLM") + digits(7), LETTERS, 1, ""),
    ],
    "FI": [lambda: (digits(7), DIGITS, 1, "")],
    "FR": [
        lambda: ("", DIGITS, 2, luhn_complete(nonzero() + digits(7))),
        lambda: ("", DIGITS, 2, luhn_complete(nonzero() + digits(7))),
        lambda: ("", FR_KEY, 2, luhn_complete(nonzero() + digits(7))),
        lambda: ("", DIGITS, 2, "000" + digits(6)),
    ],
    "HR": [lambda: (digits(10), DIGITS, 1, "")],
    "HU": [lambda: (digits(7), DIGITS, 1, "")],
    "IE": [
        lambda: (digits(7), IE_LETTERS, 1, ""),
        lambda: (digits(7), IE_LETTERS, 1, rng.choice("ABCDEFGHW")),
        lambda: (rng.choice(DIGITS) + rng.choice(LETTERS + "+*") + digits(5), IE_LETTERS, 1, ""),
    ],
    "IT": [lambda: (digits(7) + italian_office(), DIGITS, 1, "")],
    "LT": [lambda: (digits(7) + "1", DIGITS, 1, ""), lambda: (digits(10) + "1", DIGITS, 1, "")],
    "LU": [lambda: (digits(6), DIGITS, 2, "")],
    "LV": [
        lambda: (rng.choice("456789") + digits(9), DIGITS, 1, ""),
        lambda: ("32" + digits(8), DIGITS, 1, ""),
        lambda: (latvian_stem(), DIGITS, 1, ""),
    ],
    "MT": [lambda: (nonzero() + digits(5), DIGITS, 2, "")],
    "NL": [
        lambda: (digits(8), DIGITS, 1, "B%02d" % rng.randint(1, 99)),
        lambda: (digits(9) + "B", DIGITS, 2, ""),
    ],
    "PL": [lambda: (digits(9), DIGITS, 1, "")],
    "PT": [lambda: (rng.choice("125689") + digits(7), DIGITS, 1, "")],
    "RO": [lambda: (nonzero() + digits(rng.randint(0, 8)), DIGITS, 1, ""), lambda: (cnp_stem(), DIGITS, 1, "")],
    "SE": [lambda: (digits(9), DIGITS, 1, "01")],
    "SI": [lambda: (nonzero() + digits(6), DIGITS, 1, "")],
    "SK": [
        lambda: (nonzero() + rng.choice(DIGITS) + rng.choice("234789") + digits(6), DIGITS, 1, ""),
        lambda: (birth_number_stem(10), DIGITS, 1, ""),
    ],
}


def separators(prefix):
    """The separators both stdnum's module for `prefix` and our normalisation ignore."""
    module = vat._get_cc_module(prefix)
    return [s for s in " -." if s not in module.compact(prefix + "12" + s + "34")]


def valid_bodies(prefix, count):
    bodies, attempts = [], 0
    while len(bodies) < count and attempts < count * 20:
        attempts += 1
        stem, alphabet, width, suffix = rng.choice(STEMS[prefix])()
        candidates = ["".join(p) for p in itertools.product(alphabet, repeat=width)]
        rng.shuffle(candidates)
        for candidate in candidates:
            body = stem + candidate + suffix
            if vat.is_valid(prefix + body):
                bodies.append(body)
                break
        else:
            bodies.append(stem + candidates[0] + suffix)  # no valid completion: an invalid case
    return bodies


def present_vat(prefix, body):
    seps = separators(prefix)
    style = rng.randrange(6)
    if style == 0:
        return prefix.lower() + body.lower()
    if style == 1:
        return prefix + " " + group(body, seps)
    if style == 2:
        return prefix + rng.choice(seps) + body
    return prefix + body


def vat_cases():
    values = []
    for prefix in MEMBER_STATES:
        simple = prefix not in ("BG", "CZ", "ES", "FR", "IE", "LV", "NL", "RO", "SK")
        bodies = valid_bodies(prefix, (90 if simple else 180) * SCALE)
        values += [present_vat(prefix, b) for b in bodies]
        for _ in many(140 if simple else 260):
            values.append(present_vat(prefix, mutate(rng.choice(bodies))))
        for length in range(0, 15, 2):
            values.append(prefix + digits(length))
        values += [prefix + "0" * length for length in (8, 9, 10, 11, 12)]
        values.append(prefix)
        # dropped leading zeros (BE, EL and NL accept them) and the Belgian "(0)" notation
        values += [prefix + b.lstrip("0") for b in bodies[:10] if b.startswith("0")]
    values += ["BE(0)403019261", "NL4495445B01", "FR12000000000", "FR 12 000 000 000", "EL 23456783"]
    for prefix in ["GR", "XI", "EU", "US", "CH", "GB", "NO", "UK", "XX", "FX", "ZZ", "12", "1F", "F1"]:
        for _ in many(8):
            values.append(prefix + digits(rng.choice([8, 9, 10, 11, 12])))
    for body in valid_bodies("EL", 10):
        values += ["GR" + body, "gr " + body]
    values += ["", "F", "FR", "fr", "E L094259216", "094259216", "FR 40 303 265 045", "fr40303265045",
               "FRK7399859412", "FR4Z123456782", "FRIO334175221", "FR84323140391", "FR00300076965",
               "DE136695976", "IT00743110157", "ESB58378431", "NL004495445B01", "NL002455799B11",
               "ATU13585627", "BE0403019261", "BE0428759497", "CY10259033P", "CZ7103192745", "CZ640903926",
               "DK13585628", "EE100931558", "EL094259216", "FI20774740", "HR33392005961", "HU12892312",
               "IE6433435F", "IE6433435OA", "IE8D79739I", "LT119511515", "LT100001919017", "LU15027442",
               "LV40003521600", "LV16117519997", "MT11679112", "PL8567346215", "PT501964843",
               "RO18547290", "RO1630615123457", "SE123456789701", "SI50223054", "SK2022749619"]
    return values


# ---------------------------------------------------------------- RIDET and TAHITI (hand-written)

HAND_WRITTEN = {
    "ridet": [
        ("1234567", True), ("0123456", True), ("123456", True), ("123 456", True), ("1 234 567", True),
        ("1234567001", True), ("1234567.001", True), ("123456001", True), ("123456 001", True),
        ("0123456-002", True), ("0 123 456 001", True), ("9876543210", True), ("1\u00a0234\u00a0567", True),
        ("12345", False), ("12345678", False), ("12345678901", False), ("123456789012", False),
        ("123456A", False), ("A123456", False), ("1234567 00A", False), ("", False), ("0000000", False),
        ("000000", False), ("000000001", False), ("1234567/001", False), ("12 34", False),
    ],
    "tahiti": [
        ("123456", True), ("A12345", True), ("a12345", True), ("Z98765", True), ("123456001", True),
        ("A12345001", True), ("A12345 001", True), ("a 12345 001", True), ("123 456", True),
        ("123.456.001", True), ("B00001", True), ("000001", True), ("000001-001", True),
        ("12345", False), ("1234567", False), ("12345678", False), ("1234567890", False),
        ("AB1234", False), ("A1234B", False), ("A12345 0A1", False), ("12345A", False), ("", False),
        ("000000", False), ("000000001", False), ("#12345", False), ("É12345", False), ("A123456", False),
    ],
}


# ---------------------------------------------------------------- main

def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--any-version", action="store_true", help="accept another stdnum version")
    parser.add_argument("--output", type=pathlib.Path, default=OUTPUT)
    parser.add_argument("--seed", type=int, default=SEED, help="another seed, for a one-off fuzzing run")
    parser.add_argument("--scale", type=int, default=1, help="multiply the number of generated cases")
    args = parser.parse_args()
    global SCALE
    SCALE = args.scale
    rng.seed(args.seed)
    if stdnum.__version__ != STDNUM_VERSION and not args.any_version:
        sys.exit(f"python-stdnum {STDNUM_VERSION} expected, found {stdnum.__version__} (see --any-version)")

    verdicts = {"siren": siren.is_valid, "siret": siret.is_valid, "vat": vat.is_valid}
    generated = {"siren": siren_cases(), "siret": siret_cases(), "vat": vat_cases()}
    entries, seen, excluded = [], set(), Counter()
    for kind, values in generated.items():
        for value in values:
            if (kind, value) in seen:
                continue
            seen.add((kind, value))
            valid = bool(verdicts[kind](value))
            difference = known_difference(kind, value)
            if difference is not None and difference[1] != valid:
                excluded[difference[0]] += 1
                continue
            entries.append({"kind": kind, "value": value, "valid": valid})
    for kind, cases in HAND_WRITTEN.items():
        entries += [{"kind": kind, "value": value, "valid": valid} for value, valid in cases]

    args.output.parent.mkdir(parents=True, exist_ok=True)
    lines = [json.dumps(entry, ensure_ascii=False) for entry in entries]
    args.output.write_text("[\n" + ",\n".join(lines) + "\n]\n", encoding="utf-8")

    counts = Counter((e["kind"], e["valid"]) for e in entries)
    print(f"wrote {len(entries)} cases to {args.output}")
    for kind in ["siren", "siret", "vat", "ridet", "tahiti"]:
        print(f"  {kind}: {counts[(kind, True)]} valid, {counts[(kind, False)]} invalid")
    for reason, count in sorted(excluded.items()):
        print(f"  excluded ({reason}): {count}")


if __name__ == "__main__":
    main()
