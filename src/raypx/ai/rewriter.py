"""Rule-based rewriting into a tone, keeping the meaning: word and phrase substitutions only,
never adding or dropping claims. Deterministic, offline."""

from __future__ import annotations

import re
from enum import StrEnum


class Tone(StrEnum):
    PROFESSIONAL = "professional"
    FRIENDLY = "friendly"
    CASUAL = "casual"
    CONCISE = "concise"
    FORMAL = "formal"


CONTRACTIONS = {
    "can't": "cannot", "won't": "will not", "don't": "do not", "doesn't": "does not",
    "didn't": "did not", "isn't": "is not", "aren't": "are not", "wasn't": "was not",
    "weren't": "were not", "haven't": "have not", "hasn't": "has not", "hadn't": "had not",
    "wouldn't": "would not", "shouldn't": "should not", "couldn't": "could not",
    "it's": "it is", "that's": "that is", "there's": "there is", "what's": "what is",
    "i'm": "I am", "you're": "you are", "we're": "we are", "they're": "they are",
    "i've": "I have", "you've": "you have", "we've": "we have", "they've": "they have",
    "i'll": "I will", "you'll": "you will", "we'll": "we will", "they'll": "they will",
    "let's": "let us",
}  # fmt: skip
INFORMAL_TO_FORMAL = {
    "gonna": "going to", "wanna": "want to", "gotta": "have to", "kinda": "somewhat",
    "sorta": "somewhat", "yeah": "yes", "yep": "yes", "nope": "no", "ok": "acceptable",
    "okay": "acceptable", "awesome": "excellent", "cool": "good", "stuff": "material",
    "guys": "everyone", "lots of": "many", "a lot of": "many", "get rid of": "remove",
    "figure out": "determine", "check out": "review", "huge": "significant", "pretty": "fairly",
    "super": "very", "tons of": "many", "asap": "as soon as possible", "fix up": "repair",
}  # fmt: skip
FORMAL_TO_PLAIN = {
    "utilize": "use", "utilise": "use", "commence": "start", "terminate": "end",
    "purchase": "buy", "therefore": "so", "however": "but", "approximately": "about",
    "assist": "help", "facilitate": "help", "endeavor": "try", "endeavour": "try",
    "subsequently": "later", "prior to": "before", "in addition": "also", "numerous": "many",
    "sufficient": "enough", "regarding": "about", "obtain": "get", "request": "ask for",
}  # fmt: skip
WORDY = {
    "in order to": "to", "due to the fact that": "because", "at this point in time": "now",
    "in the event that": "if", "for the purpose of": "for", "with regard to": "about",
    "in spite of the fact that": "although", "a large number of": "many",
    "has the ability to": "can", "is able to": "can", "at the present time": "now",
    "in the near future": "soon", "each and every": "every", "first and foremost": "first",
}  # fmt: skip
FILLERS = ["basically", "actually", "really", "very", "just", "literally", "totally",
           "you know,", "like,", "kind of", "sort of", "quite"]  # fmt: skip


def rewrite(text: str, tone: Tone | str = Tone.PROFESSIONAL) -> str:
    tone = Tone(tone)
    out = text
    if tone in (Tone.PROFESSIONAL, Tone.FORMAL):
        out = substitute(out, CONTRACTIONS)
        out = substitute(out, INFORMAL_TO_FORMAL)
        out = remove_fillers(out, ["like,", "you know,", "literally", "totally", "basically"])
        out = re.sub(r"!+", ".", out)
    elif tone in (Tone.CASUAL, Tone.FRIENDLY):
        out = substitute(out, FORMAL_TO_PLAIN)
        out = substitute(out, {v.lower(): k for k, v in CONTRACTIONS.items() if " " in v})
    elif tone is Tone.CONCISE:
        out = substitute(out, WORDY)
        out = substitute(out, FORMAL_TO_PLAIN)
        out = remove_fillers(out, FILLERS)
    return tidy(out)


def substitute(text: str, table: dict[str, str]) -> str:
    # Longest phrases first, whole words only, keeping the first letter's case.
    for source in sorted(table, key=len, reverse=True):
        pattern = re.compile(rf"(?<![\w'’]){re.escape(source)}(?![\w'’])", re.IGNORECASE)
        replacement = table[source]
        text = pattern.sub(lambda m: match_case(m.group(0), replacement), text)  # noqa: B023
    return text


def match_case(original: str, replacement: str) -> str:
    if original[:1].isupper() and replacement[:1].islower():
        return replacement[:1].upper() + replacement[1:]
    return replacement


def remove_fillers(text: str, fillers: list[str]) -> str:
    for filler in fillers:
        text = re.sub(rf"(?<![\w'])\s*{re.escape(filler)}(?![\w'])", "", text, flags=re.I)
    return text


def tidy(text: str) -> str:
    text = re.sub(r"[ \t]+", " ", text)
    text = re.sub(r" +([,.;:!?])", r"\1", text)
    text = re.sub(r"([.!?])\1+", r"\1", text)
    # Capitalise sentence starts that a substitution or removal may have lowered.
    text = re.sub(r"(^|[.!?]\s+)([a-z])", lambda m: m.group(1) + m.group(2).upper(), text)
    return "\n".join(line.strip() for line in text.splitlines())
