"""The offline model's engines: exact, deterministic outputs on fixed inputs."""

from __future__ import annotations

import json

import pytest

from raypx.ai import extractor, rewriter, summarizer
from raypx.ai.sentences import split_sentences
from raypx.ai.tokens import count_tokens

ARTICLE = (
    "The city council approved a new budget of $4.2 million on Tuesday. The plan funds three "
    "new libraries and extends bus service to the northern districts. Council member Maria Lopez "
    "said the vote followed months of public hearings. Opponents argued that the budget relies "
    "on optimistic tax forecasts. The mayor will sign the budget on March 3, 2026. Residents can "
    "read the full plan at https://city.example.gov/budget. Questions can be sent to "
    "budget@city.example.gov."
)


def test_sentence_splitting_respects_abbreviations_and_decimals() -> None:
    text = (
        "Dr. Smith paid $4.50 at Acme Inc. on Monday. Was it worth it? Yes! "
        "See e.g. the U.S. rules."
    )
    assert split_sentences(text) == [
        "Dr. Smith paid $4.50 at Acme Inc. on Monday.",
        "Was it worth it?",
        "Yes!",
        "See e.g. the U.S. rules.",
    ]


def test_summary_of_a_news_item_keeps_its_lead() -> None:
    summary = summarizer.summarize(ARTICLE)
    assert summary.text == "The city council approved a new budget of $4.2 million on Tuesday."
    assert summary.source_sentences == 7


def test_summary_length_and_order() -> None:
    summary = summarizer.summarize(ARTICLE, max_sentences=3)
    assert len(summary.sentences) == 3
    positions = [ARTICLE.index(s) for s in summary.sentences]
    assert positions == sorted(positions)
    assert all(s in split_sentences(ARTICLE) for s in summary.sentences)


def test_summary_is_deterministic_and_handles_empty_input() -> None:
    assert summarizer.summarize(ARTICLE * 5) == summarizer.summarize(ARTICLE * 5)
    assert summarizer.summarize("   ").text == ""


def test_long_input_is_summarised_hierarchically_to_the_requested_length() -> None:
    topics = ["billing", "queues", "storage", "metering", "auth", "search"]
    text = " ".join(
        f"Section {i} explains how {topics[i % 6]} works in practice for team {i}."
        for i in range(1000)
    )
    summary = summarizer.summarize(text, max_sentences=5)
    assert summary.source_sentences == 1000
    assert len(summary.sentences) == 5


@pytest.mark.parametrize(
    ("tone", "expected"),
    [
        ("professional", "Hey everyone, we are going to ship the new billing material as soon as "
                         "possible. It is done, but we do not have tests yet."),
        ("concise", "Hey guys, we're gonna ship the new billing stuff asap! It's done, but we "
                    "don't have tests yet!"),
    ],
)  # fmt: skip
def test_rewrite_applies_the_tone(tone: str, expected: str) -> None:
    text = (
        "Hey guys, we're gonna ship the new billing stuff asap! It's basically done, but we "
        "don't have tests yet!!"
    )
    assert rewriter.rewrite(text, tone) == expected


def test_rewrite_concise_and_casual_keep_the_facts() -> None:
    text = "In order to utilize the system, you must obtain approval prior to the meeting."
    assert rewriter.rewrite(text, "concise") == (
        "To use the system, you must get approval before the meeting."
    )
    assert rewriter.rewrite("It is ready. We do not ship on Fridays.", "casual") == (
        "It's ready. We don't ship on Fridays."
    )


def test_rewrite_rejects_an_unknown_tone() -> None:
    with pytest.raises(ValueError, match="sarcastic"):
        rewriter.rewrite("text", "sarcastic")


def test_extraction_finds_every_kind_of_field() -> None:
    text = (
        "Invoice from Acme Corp. to Jane Doe, due on March 5, 2026. Total: $1,250.50 (or EUR "
        "1,100). Contact billing@acme.io or see https://acme.io/invoices/42. Dr. Alan Turing met "
        "the team in London on 2026-01-15 and again on 15 February 2026. The budget is $2.5 "
        "million. Call +1 415-555-0100. NASA agreed."
    )
    found = extractor.extract(text)
    assert [d["value"] for d in found["dates"]] == ["2026-03-05", "2026-01-15", "2026-02-15"]
    assert [(a["value"], a["currency"]) for a in found["amounts"]] == [
        ("1250.50", "USD"), ("1100", "EUR"), ("2500000", "USD"),
    ]  # fmt: skip
    assert found["emails"] == ["billing@acme.io"]
    assert found["urls"] == ["https://acme.io/invoices/42"]
    assert found["phone_numbers"] == ["+1 415-555-0100"]
    assert found["entities"] == [
        {"text": "Acme Corp", "type": "organization"},
        {"text": "Jane Doe", "type": "person"},
        {"text": "Alan Turing", "type": "person"},
        {"text": "London", "type": "location"},
        {"text": "NASA", "type": "organization"},
    ]
    json.dumps(found)  # always serialisable


def test_extraction_ignores_impossible_dates() -> None:
    assert extractor.extract("Due 2026-02-31 or 13/13/2026.")["dates"] == []


def test_token_counts_come_from_cl100k() -> None:
    assert count_tokens("Hello world, this is Raypx!") == 8
    assert count_tokens("") == 0
