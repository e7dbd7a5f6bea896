"""Prompt templates for each task, shaped by the user's output tone and preferred locale."""

from __future__ import annotations

from enum import StrEnum

from raypx.ai.providers.base import ChatMessage

SUPPORTED_LOCALES = {
    "en-US": "English (US)", "en-GB": "English (UK)", "de-DE": "German", "fr-FR": "French",
    "es-ES": "Spanish", "pt-BR": "Portuguese (Brazil)", "it-IT": "Italian", "nl-NL": "Dutch",
    "ja-JP": "Japanese", "zh-CN": "Chinese (Simplified)", "ko-KR": "Korean",
}  # fmt: skip


class Task(StrEnum):
    SUMMARIZE = "summarize"
    REWRITE = "rewrite"
    EXTRACTION = "extraction"
    CHAT = "chat"


class Feature(StrEnum):
    """`run.feature` values Raypx itself records; applications may add their own."""

    DOCUMENT_SUMMARY = "document-summary"
    SUMMARIZE = "summarize"
    REWRITE = "rewrite"
    EXTRACTION = "extraction"
    CHAT = "chat"


FEATURE_TASK = {
    Feature.DOCUMENT_SUMMARY: Task.SUMMARIZE,
    Feature.SUMMARIZE: Task.SUMMARIZE,
    Feature.REWRITE: Task.REWRITE,
    Feature.EXTRACTION: Task.EXTRACTION,
    Feature.CHAT: Task.CHAT,
}

INSTRUCTIONS = {
    Task.SUMMARIZE: (
        "Summarise the text below in a few sentences. Keep names, numbers and dates exact. "
        "Do not add facts that are not in the text."
    ),
    Task.REWRITE: (
        "Rewrite the text below in a {tone} tone. Keep its meaning, facts and structure; "
        "change only the wording."
    ),
    Task.EXTRACTION: (
        "Extract from the text below a JSON object with the keys dates, amounts, emails, urls, "
        "phone_numbers and entities (each a list). Answer with JSON only."
    ),
    Task.CHAT: "You are Raypx's assistant. Answer clearly and briefly.",
}


def system_prompt(task: Task, tone: str, locale: str) -> str:
    language = SUPPORTED_LOCALES.get(locale, "English (US)")
    style = f"Write in {language}, in a {tone} tone."
    return f"{INSTRUCTIONS[task].format(tone=tone)} {style}"


def task_messages(task: Task, text: str, *, tone: str, locale: str) -> list[ChatMessage]:
    return [
        ChatMessage("system", system_prompt(task, tone, locale)),
        ChatMessage("user", text),
    ]
