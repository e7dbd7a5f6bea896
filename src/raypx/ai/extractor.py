"""Field extraction by pattern and heuristic: dates, amounts, emails, URLs, phone numbers and
named entities. Deterministic and offline; every value keeps the text it came from."""

from __future__ import annotations

import re
from contextlib import suppress
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from raypx.ai.sentences import STOPWORDS

MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december"], start=1)}  # fmt: skip
MONTHS.update({name[:3]: i for name, i in list(MONTHS.items())} | {"sept": 9})
MONTH = r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"  # noqa: E501

ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
MONTH_FIRST = re.compile(rf"\b({MONTH})\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b")
DAY_FIRST = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+({MONTH})\s+(\d{{4}})\b")
SLASH_DATE = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b")
EMAIL = re.compile(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")
URL = re.compile(r"\bhttps?://[^\s<>\"')\]]+[^\s<>\"')\].,;:!?]")
PHONE = re.compile(r"(?<![\w/])\+?\d{1,3}?[ .-]?\(?\d{2,4}\)?[ .-]\d{3,4}[ .-]\d{3,4}(?![\w/])")
SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY"}
CODES = "USD|EUR|GBP|JPY|CHF|CAD|AUD|CNY|INR"
NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
AMOUNT = re.compile(
    rf"(?P<sym>[$€£¥])\s?(?P<n1>{NUMBER})(?P<mult1>\s?(?:[kKmM]\b|million|billion|thousand))?"
    rf"|\b(?P<code1>{CODES})\s?(?P<n2>{NUMBER})"
    rf"|\b(?P<n3>{NUMBER})\s?(?P<code2>{CODES})\b"
)
MULTIPLIERS = {"k": 1000, "thousand": 1000, "m": 1_000_000, "million": 1_000_000,
               "billion": 1_000_000_000}  # fmt: skip
ORG_SUFFIXES = {"inc", "inc.", "corp", "corp.", "corporation", "llc", "ltd", "ltd.", "gmbh",
                "co", "co.", "company", "university", "bank", "group", "foundation", "institute",
                "labs", "agency", "ministry", "association"}  # fmt: skip
WEEKDAYS = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}
TITLES = {"mr", "mrs", "ms", "dr", "prof", "sir", "madam", "mr.", "mrs.", "ms.", "dr.", "prof."}
PLACE_WORDS = {"in", "at", "from", "near"}
CAPITALISED = re.compile(
    r"\b(?:[A-Z][a-zA-Z&'’-]*\.?)(?:\s+(?:of\s+|de\s+|the\s+)?[A-Z][a-zA-Z&'’-]*\.?)*"
)


def extract(text: str) -> dict[str, Any]:
    return {
        "dates": extract_dates(text),
        "amounts": extract_amounts(text),
        "emails": unique(m.group(0) for m in EMAIL.finditer(text)),
        "urls": unique(m.group(0) for m in URL.finditer(text)),
        "phone_numbers": unique(m.group(0).strip() for m in PHONE.finditer(text)),
        "entities": extract_entities(text),
    }


def unique(values: Any) -> list[Any]:
    seen: list[Any] = []
    for value in values:
        if value not in seen:
            seen.append(value)
    return seen


def extract_dates(text: str) -> list[dict[str, str]]:
    found: list[tuple[int, dict[str, str]]] = []

    def add(start: int, source: str, y: int, m: int, d: int) -> None:
        with suppress(ValueError):  # 31 February is not a date, whatever the pattern says
            found.append((start, {"text": source, "value": date(y, m, d).isoformat()}))

    for m in ISO_DATE.finditer(text):
        add(m.start(), m.group(0), int(m[1]), int(m[2]), int(m[3]))
    for m in MONTH_FIRST.finditer(text):
        add(m.start(), m.group(0), int(m[3]), month_number(m[1]), int(m[2]))
    for m in DAY_FIRST.finditer(text):
        add(m.start(), m.group(0), int(m[3]), month_number(m[2]), int(m[1]))
    for m in SLASH_DATE.finditer(text):
        # Month first (US) unless that cannot be a date.
        first, second = int(m[1]), int(m[2])
        month, day = (first, second) if first <= 12 else (second, first)
        add(m.start(), m.group(0), int(m[3]), month, day)
    return unique(item for _, item in sorted(found, key=lambda pair: pair[0]))


def month_number(name: str) -> int:
    return MONTHS[name.lower().rstrip(".")[:4].rstrip("t") if name.lower().startswith("sept")
                  else name.lower().rstrip(".")[:3]]  # fmt: skip


def extract_amounts(text: str) -> list[dict[str, str]]:
    amounts = []
    for m in AMOUNT.finditer(text):
        raw = m["n1"] or m["n2"] or m["n3"]
        currency = SYMBOLS.get(m["sym"] or "") or m["code1"] or m["code2"]
        try:
            value = Decimal(raw.replace(",", ""))
        except InvalidOperation:
            continue
        multiplier = (m["mult1"] or "").strip().lower()
        if multiplier:
            value = value * MULTIPLIERS[multiplier]
            value = (
                value.quantize(Decimal(1)) if value == value.to_integral() else value.normalize()
            )
        amounts.append({"text": m.group(0).strip(), "value": str(value), "currency": currency})
    return unique(amounts)


def phrases(text: str) -> list[tuple[int, list[str]]]:
    """Runs of capitalised words, cut where a period ends a sentence inside the run."""
    runs: list[tuple[int, list[str]]] = []
    for m in CAPITALISED.finditer(text):
        current: list[str] = []
        for token in m.group(0).split():
            current.append(token)
            bare = token.lower().rstrip(".")
            if token.endswith(".") and bare not in ORG_SUFFIXES | TITLES and len(bare) > 1:
                runs.append((m.start(), current))
                current = []
        if current:
            runs.append((m.start(), current))
    return runs


def extract_entities(text: str) -> list[dict[str, str]]:
    entities: list[dict[str, str]] = []
    for start, tokens in phrases(text):
        phrase = " ".join(tokens)
        offset = text.find(phrase, start)
        tokens = [t.rstrip(".") if t.lower().rstrip(".") not in ORG_SUFFIXES | TITLES else t
                  for t in tokens]  # fmt: skip
        before = text[: offset if offset >= 0 else start].rstrip()
        previous = before.rsplit(None, 1)[-1].lower() if before else ""
        sentence_start = not before or before.endswith((".", "!", "?", ":", "\n"))
        # Drop leading words that are only capitalised because they start a sentence.
        while tokens and tokens[0].lower().rstrip(".") in STOPWORDS | {"the"}:
            tokens = tokens[1:]
            sentence_start = False
        if not tokens:
            continue
        first = tokens[0].lower().rstrip(".,")
        acronym = len(tokens) == 1 and tokens[0].isupper() and len(tokens[0]) > 1
        if tokens[0].upper() in CODES.split("|"):
            continue  # a currency code, reported with its amount
        if (
            first in MONTHS
            or first in WEEKDAYS
            or (len(tokens) == 1 and sentence_start and not acronym)
            or first in TITLES
        ):
            if first in TITLES and len(tokens) > 1:
                entities.append({"text": " ".join(tokens[1:]).rstrip(".,"), "type": "person"})
            continue
        name = " ".join(tokens).rstrip(".,")
        kind = classify(tokens, previous)
        entities.append({"text": name, "type": kind})
    return unique(entities)


def classify(tokens: list[str], previous: str) -> str:
    last = tokens[-1].lower().rstrip(",")
    if last in ORG_SUFFIXES or (len(tokens) == 1 and tokens[0].isupper() and len(tokens[0]) > 1):
        return "organization"
    if previous.rstrip(".") in TITLES:
        return "person"
    if previous in PLACE_WORDS:
        return "location"
    if len(tokens) in (2, 3) and all(t[:1].isupper() and t[1:].islower() for t in tokens):
        return "person"
    return "other"
