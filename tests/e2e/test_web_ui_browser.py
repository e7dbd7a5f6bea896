"""The web app in a real browser (the system's headless Chromium) against a real `raypx serve`
with its worker: what a person does, by roles and labels, at desktop and phone sizes, in both
locales, with axe-core on every screen and no console errors. Skipped only without Chromium
(`.ci/run` installs it)."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import os
import re
import secrets
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import urlparse

import httpx
import pytest
from playwright.async_api import Browser, async_playwright, expect
from sqlalchemy.engine import URL

from tests.conftest import create_database, drop_database
from tests.e2e.web_app import (
    ADMIN_EMAIL,
    CHROMIUM,
    CHROMIUM_ARGS,
    DESKTOP,
    PASSWORD,
    PHONE,
    Live,
    Tab,
    open_tab,
    start_server,
)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed"),
]
SHOTS = Path(__file__).parents[2] / "docs" / "screenshots"
TAKE_SHOTS = os.environ.get("RAYPX_SCREENSHOTS") == "1"  # refreshes the README's pictures


@pytest.fixture(scope="module")
def live(
    server_url: URL, template_database: str, run_tag: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Live]:
    name = f"raypx_web_{run_tag}_{secrets.token_hex(3)}"
    url = create_database(server_url, name, template=template_database)
    try:
        yield from start_server(url, tmp_path_factory.mktemp("web") / "home")
    finally:
        drop_database(server_url, name)


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as driver:
        launched = await driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        await launched.close()


@pytest.fixture
async def tabs(browser: Browser, live: Live) -> AsyncIterator[list[Tab]]:
    """Tabs a test opens; each must end with no console error."""
    opened: list[Tab] = []
    yield opened
    for tab in opened:
        await tab.context.close()
    assert [e for tab in opened for e in tab.errors] == []


async def new_tab(
    browser: Browser, live: Live, tabs: list[Tab], viewport: dict[str, int], locale: str = "en-US"
) -> Tab:
    tab = await open_tab(browser, live.url, viewport, locale)
    tabs.append(tab)
    return tab


async def accessible(tab: Tab) -> None:
    assert await tab.axe() == [], tab.page.url


async def sign_up(tab: Tab, name: str, email: str, locale: str = "en-US") -> None:
    labels = {
        "en-US": ("Name", "Email", "Password", "Create account"),
        "zh-CN": ("姓名", "邮箱", "密码", "创建账户"),
    }[locale]
    await tab.goto(f"/{locale}/sign-up")
    page = tab.page
    await page.get_by_label(labels[0]).fill(name)
    await page.get_by_label(labels[1]).fill(email)
    await page.get_by_label(labels[2], exact=True).fill(PASSWORD)
    await page.get_by_role("button", name=labels[3]).click()
    await expect(page).to_have_url(re.compile(f"/{locale}/dashboard$"))


async def test_sign_up_reset_password_and_come_back_after_expiry(
    browser: Browser, live: Live, tabs: list[Tab]
) -> None:
    tab = await new_tab(browser, live, tabs, DESKTOP)
    page = tab.page
    await tab.goto("/")
    await expect(page).to_have_url(re.compile("/en-US/sign-in$"))
    await expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    await expect(page.get_by_role("button", name="Continue with Corp")).to_be_visible()
    await accessible(tab)

    email = f"ada-{secrets.token_hex(3)}@example.com"
    await page.get_by_role("link", name="Create an account").click()
    await accessible(tab)
    await sign_up(tab, "Ada Lovelace", email)
    await expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    await expect(page.get_by_text("Free plan")).to_be_visible()
    await expect(page.get_by_role("progressbar", name="AI tokens")).to_be_visible()
    await accessible(tab)

    # Signed out, a deep link goes to sign-in and, once signed in, back to where it pointed.
    await page.get_by_role("button", name="Account menu for Ada Lovelace").click()
    await page.get_by_role("menuitem", name="Sign out").click()
    await expect(page).to_have_url(re.compile("/en-US/sign-in$"))
    await tab.goto("/en-US/billing")
    await expect(page).to_have_url(re.compile(r"/en-US/sign-in\?redirect="))
    await expect(page.get_by_text("Please sign in to continue")).to_be_visible()

    # Forgot password: the mailed link lands on the app's reset page with its token.
    await page.get_by_role("link", name="Forgot password?").click()
    await page.get_by_label("Email").fill(email)
    await page.get_by_role("button", name="Send reset link").click()
    await expect(page.get_by_text("a reset link is on its way")).to_be_visible()
    link = live.wait_for_mail("reset-password", email)
    assert urlparse(link).path.startswith("/api/auth/reset-password/")
    await page.goto(link)
    await expect(page).to_have_url(re.compile(r"/en-US/reset-password\?token="))
    await accessible(tab)
    await page.get_by_label("New password", exact=True).fill("a brand new secret")
    await page.get_by_label("Confirm new password").fill("a brand new secret")
    await page.get_by_role("button", name="Set new password").click()
    await expect(page.get_by_text("Your password was changed")).to_be_visible()
    await page.goto(link)  # used once: the link now says so
    await expect(page.get_by_text("invalid or has expired")).to_be_visible()

    await tab.goto("/en-US/sign-in?redirect=%2Fen-US%2Fbilling")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("alert")).to_contain_text("Invalid email or password")
    await page.get_by_label("Password").fill("a brand new secret")
    await page.get_by_role("button", name="Sign in").click()
    await expect(page).to_have_url(re.compile("/en-US/billing$"))
    await expect(page.get_by_role("heading", name="Billing")).to_be_visible()
    await expect(page.get_by_text("Online payment is not set up")).to_be_visible()
    await accessible(tab)

    # The session ends under the app (revoked elsewhere): the next call returns to sign-in.
    await tab.context.clear_cookies()
    await page.get_by_role("link", name="Documents").first.click()
    await expect(page).to_have_url(re.compile(r"/en-US/sign-in\?redirect=%2Fen-US%2Fdocuments"))


async def test_verify_email_link_lands_on_the_app(
    browser: Browser, live: Live, tabs: list[Tab]
) -> None:
    tab = await new_tab(browser, live, tabs, DESKTOP)
    email = f"grace-{secrets.token_hex(3)}@example.com"
    await sign_up(tab, "Grace Hopper", email)
    sent = await tab.page.request.post(
        live.url + "/api/auth/send-verification-email",
        data={"email": email, "callbackURL": "/en-US/verify-email"},
        headers={"origin": live.url},
    )
    assert sent.ok
    await tab.page.goto(live.wait_for_mail("verify-email", email))
    await expect(tab.page).to_have_url(re.compile("/en-US/verify-email$"))
    await expect(tab.page.get_by_text("Your email address is verified")).to_be_visible()
    await accessible(tab)
    await tab.page.goto(live.wait_for_mail("verify-email", email))  # spent
    await expect(tab.page.get_by_text("invalid or has expired")).to_be_visible()


async def test_phone_in_chinese_dark_mode_and_switching_language(
    browser: Browser, live: Live, tabs: list[Tab]
) -> None:
    tab = await new_tab(browser, live, tabs, PHONE, locale="zh-CN")
    page = tab.page
    await tab.goto("/")  # no locale in the URL: the browser's language decides
    await expect(page).to_have_url(re.compile("/zh-CN/sign-in$"))
    await expect(page.get_by_role("heading", name="登录")).to_be_visible()
    await expect(page.get_by_role("button", name="使用 Corp 继续")).to_be_visible()
    await page.set_viewport_size({"width": 360, "height": 800})
    assert not await tab.scrolls_sideways()
    await page.set_viewport_size(PHONE)

    await sign_up(tab, "林黛玉", f"lin-{secrets.token_hex(3)}@example.com", "zh-CN")
    await expect(page.get_by_role("heading", name="仪表盘")).to_be_visible()
    await expect(page.get_by_text("免费套餐")).to_be_visible()

    theme = page.get_by_role("button", name=re.compile("主题"))
    await theme.click()  # system -> light
    await theme.click()  # light -> dark
    assert await page.evaluate("document.documentElement.classList.contains('dark')")
    await accessible(tab)
    await page.reload()  # the choice is remembered
    assert await page.evaluate("document.documentElement.classList.contains('dark')")

    for path in ["dashboard", "documents", "billing"]:
        await tab.goto(f"/zh-CN/{path}")
        await expect(page.get_by_role("heading", level=1)).to_be_visible()
        await page.set_viewport_size({"width": 360, "height": 800})
        assert not await tab.scrolls_sideways(), path
        await page.set_viewport_size(PHONE)
        await accessible(tab)

    # Navigation lives in a drawer on phones.
    await page.get_by_role("button", name="打开菜单").click()
    await page.get_by_role("dialog").get_by_role("link", name="文档").click()
    await expect(page).to_have_url(re.compile("/zh-CN/documents$"))

    await page.get_by_label("语言").select_option("en-US")
    await expect(page).to_have_url(re.compile("/en-US/documents$"))
    await expect(page.get_by_role("heading", name="Documents")).to_be_visible()
    assert await page.evaluate("document.documentElement.lang") == "en-US"
    await tab.goto("/")  # the profile now prefers English, whatever the browser says
    await expect(page).to_have_url(re.compile("/en-US/dashboard$"))


async def test_documents_upload_live_status_detail_and_history(
    browser: Browser, live: Live, tabs: list[Tab]
) -> None:
    tab = await new_tab(browser, live, tabs, DESKTOP)
    tab.expected += ["status of 400", "status of 413"]  # the refused file below
    page = tab.page
    await sign_up(tab, "Edsger Dijkstra", f"ewd-{secrets.token_hex(3)}@example.com")
    await page.get_by_role("link", name="Documents").first.click()
    await expect(page.get_by_text("No documents yet.")).to_be_visible()
    await accessible(tab)

    text = (
        "Raypx keeps documents safe. Summaries come from a background job. "
        "The quarterly budget grew by four percent."
    )
    await page.get_by_label("Choose files").set_input_files(
        files=[
            {"name": "notes.txt", "mimeType": "text/plain", "buffer": text.encode()},
            {"name": "huge.txt", "mimeType": "text/plain",  # over the free plan's 2 MiB
             "buffer": b"words " * (2 * 1024 * 1024 // 6 + 1)},
        ]
    )  # fmt: skip
    uploads = page.get_by_role("list", name="Uploads")
    await expect(uploads.get_by_role("listitem").filter(has_text="notes.txt")).to_contain_text(
        "Uploaded"
    )
    refused = uploads.get_by_role("listitem").filter(has_text="huge.txt")
    await expect(refused).to_contain_text("Refused")
    await expect(refused.get_by_role("alert")).to_contain_text("your plan allows")
    row = page.get_by_role("row").filter(has_text="notes.txt")
    await expect(row).to_contain_text("Ready", timeout=15_000)  # live: no reload
    await accessible(tab)

    await page.get_by_label("Search").fill("nothing like this")
    await expect(page.get_by_text("No documents match these filters.")).to_be_visible()
    await page.get_by_label("Search").fill("NOTES")
    await expect(page).to_have_url(re.compile(r"q=NOTES"))
    await page.get_by_role("link", name="notes.txt").click()
    await expect(page.get_by_role("heading", name="notes.txt")).to_be_visible()
    await expect(page.get_by_text("The quarterly budget grew by four percent.")).to_be_visible()
    await expect(page.get_by_text("text/plain")).to_be_visible()
    await accessible(tab)
    if TAKE_SHOTS:
        await page.screenshot(path=str(SHOTS / "document.png"))

    # Back and forward, and a reload of the deep link, land on the same views.
    detail_url = page.url
    await page.go_back()
    await expect(page.get_by_role("heading", name="Documents")).to_be_visible()
    assert await page.get_by_label("Search").input_value() == "NOTES"
    await page.go_forward()
    await expect(page.get_by_role("heading", name="notes.txt")).to_be_visible()
    await page.reload()
    await expect(page.get_by_role("heading", name="notes.txt")).to_be_visible()
    assert page.url == detail_url

    async with page.expect_download() as download:
        await page.get_by_role("link", name="Download").click()
    assert (await download.value).suggested_filename == "notes.txt"

    await page.get_by_role("button", name="Rename").click()
    await page.get_by_role("dialog").get_by_label("Title").fill("Budget notes")
    await page.get_by_role("dialog").get_by_role("button", name="Save").click()
    await expect(page.get_by_role("heading", name="Budget notes")).to_be_visible()

    await page.get_by_role("button", name="Summarise again").click()
    await expect(page.get_by_role("listitem").filter(has_text="Document summary")).to_have_count(
        2, timeout=15_000
    )

    await page.get_by_role("button", name="Delete").click()
    await page.get_by_role("alertdialog").get_by_role("button", name="Delete").click()
    await expect(page).to_have_url(re.compile("/en-US/documents$"))
    await expect(page.get_by_role("row").filter(has_text="Budget notes")).to_have_count(0)

    await tab.goto("/en-US/dashboard")
    await expect(page.get_by_role("figure", name="Tokens per day")).to_be_visible()
    meters = page.get_by_role("region", name="Usage this month")
    await expect(meters).to_contain_text("Documents0 / 25")  # the deleted one no longer counts
    if TAKE_SHOTS:
        await page.screenshot(path=str(SHOTS / "dashboard.png"))


async def test_unknown_app_paths_show_not_found_and_api_paths_never_fall_back(
    browser: Browser, live: Live, tabs: list[Tab]
) -> None:
    tab = await new_tab(browser, live, tabs, DESKTOP)
    tab.expected.append("status of 404")
    await tab.goto("/en-US/no-such-view")
    await expect(tab.page.get_by_role("heading", name="Page not found")).to_be_visible()
    api = await tab.page.request.get(live.url + "/api/nope")
    assert api.status == 404 and api.headers["content-type"] == "application/json"


async def test_chat_streams_renders_markdown_safely_stops_and_manages_conversations(
    browser: Browser, live: Live, tabs: list[Tab]
) -> None:
    tab = await new_tab(browser, live, tabs, DESKTOP)
    tab.expected.append("status of 502")  # fake:fail answers with a provider error
    page = tab.page
    await sign_up(tab, "Alan Turing", f"alan-{secrets.token_hex(3)}@example.com")
    await page.get_by_role("link", name="Chat").first.click()
    await expect(page.get_by_text("No conversations yet.")).to_be_visible()
    await accessible(tab)
    await page.get_by_role("button", name="New conversation").click()
    await expect(page).to_have_url(re.compile(r"/en-US/chat/[0-9a-f-]{36}$"))

    box = page.get_by_label("Message", exact=True)
    await box.fill("We ship on 2026-03-01. Is that realistic?")
    await box.press("Enter")
    messages = page.get_by_role("list", name="Messages")
    await expect(messages).to_contain_text("You wrote")
    await expect(page.get_by_role("button", name="Copy")).to_be_visible()
    await accessible(tab)

    # Model output is Markdown without raw HTML or script links.
    await page.get_by_label("Model").select_option("fake:echo")
    await box.fill("**bold** <img src=x onerror=alert(1)> [link](javascript:alert(1))")
    await page.get_by_role("button", name="Send").click()
    await expect(messages.locator("strong", has_text="bold")).to_be_visible()
    assert await messages.locator("img").count() == 0
    link = messages.get_by_role("link", name="link")
    assert "javascript" not in (await link.get_attribute("href") or "")

    # A slow reply can be stopped; a failing model says why, inline.
    await page.get_by_label("Model").select_option("fake:slow")
    await box.fill(" ".join(["word"] * 100))  # 5 s of streaming
    await page.get_by_role("button", name="Send").click()
    await expect(messages.locator("[aria-busy=true]")).to_contain_text("echo: word word")
    await page.get_by_role("button", name="Stop").click()
    await expect(page.get_by_role("alert")).to_have_text("Stopped.")
    await expect(page.get_by_role("button", name="Send")).to_be_visible()
    await page.get_by_label("Model").select_option("fake:fail")
    await box.fill("Hello?")
    await page.get_by_role("button", name="Send").click()
    await expect(page.get_by_role("alert")).not_to_have_text("Stopped.")
    await expect(page.get_by_role("alert")).not_to_be_empty()
    assert "[object Object]" not in await page.get_by_role("alert").inner_text()

    await page.reload()  # the conversation is a deep link
    await expect(messages).to_contain_text("You wrote")
    await page.get_by_role("button", name="Actions for New conversation").click()
    await page.get_by_role("menuitem", name="Rename").click()
    await page.get_by_role("dialog").get_by_label("Title").fill("Launch plan")
    await page.get_by_role("dialog").get_by_role("button", name="Save").click()
    conversations = page.get_by_role("list", name="Conversations")
    await expect(conversations.get_by_role("link", name="Launch plan")).to_be_visible()
    await page.get_by_role("button", name="Actions for Launch plan").click()
    await page.get_by_role("menuitem", name="Archive").click()
    await expect(page.get_by_text("No conversations yet.")).to_be_visible()
    await page.get_by_role("button", name="Archived").click()
    await expect(conversations.get_by_role("link", name="Launch plan")).to_be_visible()
    await page.get_by_role("button", name="Actions for Launch plan").click()
    await page.get_by_role("menuitem", name="Delete").click()
    await page.get_by_role("dialog").get_by_role("button", name="Delete").click()
    await expect(page).to_have_url(re.compile("/en-US/chat$"))
    await page.get_by_role("button", name="Archived").click()
    await expect(page.get_by_text("No archived conversations.")).to_be_visible()


async def test_tasks_show_results_as_meant_to_be_read_and_usage_adds_up(
    browser: Browser, live: Live, tabs: list[Tab]
) -> None:
    tab = await new_tab(browser, live, tabs, PHONE)
    page = tab.page
    await sign_up(tab, "Ada Byron", f"byron-{secrets.token_hex(3)}@example.com")
    await tab.goto("/en-US/tasks")
    await expect(page.get_by_text("No runs yet.")).to_be_visible()
    await accessible(tab)
    article = (
        "The city council approved a new budget of $4.2 million on Tuesday. The plan funds "
        "three new libraries. Council member Maria Lopez said the vote followed months of "
        "hearings. Questions go to budget@city.example. The mayor signs on March 3, 2026."
    )
    await page.get_by_label("Text").fill(article)
    await page.get_by_role("button", name="Summarise").click()
    result = page.get_by_label("Result")
    await expect(result).to_contain_text("Succeeded")
    await expect(result).to_contain_text("The city council approved")

    await page.get_by_role("tab", name="Extraction").click()
    await expect(page).to_have_url(re.compile(r"feature=extraction"))
    await page.get_by_label("Text").fill(article)
    await page.get_by_role("button", name="Extract").click()
    emails = result.get_by_role("region", name="Email addresses")
    await expect(emails.get_by_role("listitem")).to_have_text(["budget@city.example"])
    dates = result.get_by_role("region", name="Dates")
    await expect(dates.get_by_role("row").filter(has_text="March 3, 2026")).to_contain_text(
        "2026-03-03"
    )
    await expect(result.get_by_role("region", name="Amounts")).to_contain_text("4200000")
    assert '{"' not in await result.inner_text()  # fields, not raw JSON
    await accessible(tab)
    await page.reload()  # the run is in the URL
    await expect(result.get_by_role("region", name="Email addresses")).to_be_visible()
    history = page.get_by_role("row").filter(has_text="The city council")
    await expect(history).to_have_count(1)  # only extraction runs under this tab
    await page.set_viewport_size({"width": 360, "height": 800})
    assert not await tab.scrolls_sideways()

    await tab.goto("/en-US/usage")
    totals = page.get_by_role("region", name="Totals this month")
    await expect(totals).to_contain_text("AI requests2")
    await expect(page.get_by_role("figure", name="AI tokens per day")).to_be_visible()
    await expect(page.get_by_role("cell", name="mock:raypx-1")).to_be_visible()
    assert not await tab.scrolls_sideways()
    await accessible(tab)
    await page.get_by_label("Metric").select_option("ai_requests")
    await expect(page.get_by_role("figure", name="AI requests per day")).to_be_visible()
    async with page.expect_download() as download:
        await page.get_by_role("link", name="Export CSV").click()
    saved = await (await download.value).path()
    csv = await asyncio.to_thread(Path(saved).read_text)
    assert csv.splitlines()[0].startswith("id,created_at,metric")
    assert csv.count("ai_requests") == 2


async def sign_in(tab: Tab, email: str, password: str = PASSWORD) -> None:
    await tab.goto("/en-US/sign-in")
    await tab.page.get_by_label("Email").fill(email)
    await tab.page.get_by_label("Password").fill(password)
    await tab.page.get_by_role("button", name="Sign in").click()
    await expect(tab.page).to_have_url(re.compile("/en-US/dashboard$"))


async def test_settings_profile_language_security_sessions_and_deletion(
    browser: Browser, live: Live, tabs: list[Tab]
) -> None:
    tab = await new_tab(browser, live, tabs, DESKTOP)
    phone = await new_tab(browser, live, tabs, PHONE)
    tab.expected.append("status of 400")  # the wrong current password, on purpose
    page = tab.page
    email = f"barbara-{secrets.token_hex(3)}@example.com"
    await sign_up(tab, "Barbara Liskov", email)
    await sign_in(phone, email)
    await tab.goto("/en-US/settings")
    await expect(page.get_by_role("heading", name="Settings")).to_be_visible()
    await accessible(tab)

    sessions = page.get_by_role("list", name="Sessions")
    await expect(sessions.get_by_role("listitem")).to_have_count(2)
    await expect(sessions.get_by_role("listitem").first).to_contain_text("This device")
    await sessions.get_by_role("button", name="Sign out").click()
    await expect(sessions.get_by_role("listitem")).to_have_count(1)
    await phone.page.get_by_role("button", name="Open menu").click()
    await phone.page.get_by_role("dialog").get_by_role("link", name="Documents").click()
    await expect(phone.page).to_have_url(re.compile(r"/en-US/sign-in\?redirect="))

    profile = page.get_by_role("region", name="Profile")
    await profile.get_by_label("Name").fill("Barbara H. Liskov")
    await profile.get_by_role("button", name="Save").click()
    await expect(profile.get_by_text("Saved.")).to_be_visible()
    menu = page.get_by_role("button", name="Account menu for Barbara H. Liskov")
    await expect(menu).to_be_visible()

    security = page.get_by_role("region", name="Security")
    await expect(security).to_contain_text("Not verified")
    await security.get_by_role("button", name="Send the verification email again").click()
    await expect(security.get_by_role("button", name="Verification email sent")).to_be_disabled()
    assert live.wait_for_mail("verify-email", email).startswith(live.url + "/api/auth/verify-email")
    await security.get_by_label("Current password").fill("not my password")
    await security.get_by_label("New password", exact=True).fill("another long secret")
    await security.get_by_label("Confirm new password").fill("another long secret")
    await security.get_by_role("button", name="Change password").click()
    await expect(security.get_by_role("alert")).to_contain_text("Invalid password")
    await security.get_by_label("Current password").fill(PASSWORD)
    await security.get_by_role("button", name="Change password").click()
    await expect(security.get_by_text("Your password was changed.")).to_be_visible()

    accounts = page.get_by_role("list", name="Linked accounts")
    await expect(accounts).to_contain_text("Email and password")
    corp = accounts.get_by_role("listitem").filter(has_text="Corp")
    await expect(corp.get_by_role("button", name="Link")).to_be_visible()

    preferences = page.get_by_role("region", name="Preferences")
    await preferences.get_by_label("Language").select_option("zh-CN")
    await preferences.get_by_role("button", name="Save").click()
    await expect(page).to_have_url(re.compile("/zh-CN/settings$"))
    await expect(page.get_by_role("heading", name="设置", exact=True)).to_be_visible()
    await accessible(tab)

    await page.get_by_role("region", name="删除账户").get_by_role("button", name="删除账户").click()
    dialog = page.get_by_role("dialog")
    await dialog.get_by_label("当前密码").fill("another long secret")
    await dialog.get_by_role("button", name="删除我的账户").click()
    await expect(page).to_have_url(re.compile("/zh-CN/sign-in$"))
    await tab.goto("/en-US/sign-in")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill("another long secret")
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("alert")).to_contain_text("Invalid email or password")


async def test_admin_users_and_jobs_dashboard_for_operators_only(
    browser: Browser, live: Live, tabs: list[Tab]
) -> None:
    target = f"target-{secrets.token_hex(3)}@example.com"
    signed = await asyncio.to_thread(
        httpx.post,
        live.url + "/api/auth/sign-up/email",
        json={"name": "Target User", "email": target, "password": PASSWORD},
        headers={"origin": live.url},
    )
    assert signed.status_code == 200
    live.raypx("jobs", "enqueue", "demo.nobody-handles-this")  # the worker fails it

    visitor = await new_tab(browser, live, tabs, DESKTOP)
    await sign_up(visitor, "Not Ops", f"visitor-{secrets.token_hex(3)}@example.com")
    assert await visitor.page.get_by_role("link", name="Admin").count() == 0
    await visitor.goto("/en-US/admin")
    await expect(
        visitor.page.get_by_text("Only operators named in RAYPX_ADMIN_EMAILS")
    ).to_be_visible()

    tab = await new_tab(browser, live, tabs, DESKTOP)
    page = tab.page
    await sign_up(tab, "Ops", ADMIN_EMAIL)
    await page.get_by_role("link", name="Admin").click()
    await expect(page.get_by_role("heading", name="Admin")).to_be_visible()
    by_type = page.get_by_role("table", name="Jobs by type and status")
    await expect(
        by_type.get_by_role("row").filter(has_text="demo.nobody-handles-this")
    ).to_be_visible()
    failed = (
        page.get_by_role("list", name="Jobs")
        .get_by_role("listitem")
        .filter(has_text="demo.nobody-handles-this")
    )
    await expect(failed).to_contain_text("Failed", timeout=15_000)  # live, no reload
    await expect(failed.locator("pre")).not_to_be_empty()  # the job's error
    await expect(page.get_by_role("figure", name="Finished per hour")).to_be_visible()
    await accessible(tab)
    if TAKE_SHOTS:
        await page.screenshot(path=str(SHOTS / "admin-jobs.png"), full_page=True)
    await failed.get_by_role("button", name="Retry").click()
    await expect(failed).to_contain_text("attempt 2", timeout=15_000)  # ran again, failed again

    await page.get_by_label("Search users").fill(target.split("@")[0])
    users = page.get_by_role("list", name="Users")
    await expect(users.get_by_role("listitem")).to_have_count(1)
    await users.get_by_label("Plan of Target User").select_option("pro")
    await expect(users.get_by_label("Plan of Target User")).to_have_value("pro")
    await users.get_by_role("button", name="End sessions (1)").click()
    await expect(users.get_by_role("button", name="End sessions (0)")).to_be_disabled()
    await page.reload()
    await page.get_by_label("Search users").fill(target.split("@")[0])
    await expect(users.get_by_label("Plan of Target User")).to_have_value("pro")


async def test_first_screen_is_small_and_quick(
    browser: Browser, live: Live, tabs: list[Tab]
) -> None:
    """A visitor's first screen: under 200 KiB of gzipped JS, ready within a second."""
    for _visit in range(2):  # the first visit also warms the server's gzip cache
        tab = await new_tab(browser, live, tabs, DESKTOP)
        await tab.goto("/en-US/sign-in")
        await expect(tab.page.get_by_role("heading", name="Sign in")).to_be_visible()
        figures = await tab.page.evaluate(
            """() => ({
              ready: performance.now(),
              js: performance.getEntriesByType('resource')
                .filter(e => e.name.endsWith('.js'))
                .reduce((sum, e) => sum + e.encodedBodySize, 0),
            })"""
        )
        kib, ms = figures["js"] / 1024, figures["ready"]
        print(f"first screen: {kib:.1f} KiB of JS (gzip), ready in {ms:.0f} ms")
    assert 0 < figures["js"] <= 200 * 1024  # route chunks load on demand
    # Budget 1 s on loopback; a shared CI machine (2 cores) gets slack before this fails.
    assert figures["ready"] < 2000


async def test_sign_in_by_emailed_code_or_link_without_the_password(
    browser: Browser, live: Live, tabs: list[Tab]
) -> None:
    tab = await new_tab(browser, live, tabs, DESKTOP)
    tab.expected.append("status of 400")  # the wrong code, on purpose
    page = tab.page
    email = f"hedy-{secrets.token_hex(3)}@example.com"
    await sign_up(tab, "Hedy Lamarr", email)
    await tab.context.clear_cookies()

    await tab.goto("/en-US/sign-in")
    await page.get_by_role("button", name="Email me a sign-in code").click()
    await expect(page.get_by_text("Enter your email address above first")).to_be_visible()
    await page.get_by_label("Email").fill(email)
    sent = len(live.mails())
    await page.get_by_role("button", name="Email me a sign-in code").click()
    await expect(page.get_by_text("A code is on its way")).to_be_visible()
    code = live.wait_for_code("email-otp-sign-in", email, after=sent)
    await accessible(tab)
    await page.get_by_label("Sign-in code").fill("000000" if code != "000000" else "111111")
    await page.get_by_role("button", name="Sign in with code").click()
    await expect(page.get_by_role("alert")).to_contain_text(re.compile("invalid", re.I))
    await page.get_by_label("Sign-in code").fill(code)
    await page.get_by_role("button", name="Sign in with code").click()
    await expect(page).to_have_url(re.compile("/en-US/dashboard$"))
    await expect(page.get_by_role("button", name="Account menu for Hedy Lamarr")).to_be_visible()

    await tab.context.clear_cookies()
    await tab.goto("/en-US/sign-in?redirect=%2Fen-US%2Fbilling")
    await page.get_by_label("Email").fill(email)
    await page.get_by_role("button", name="Email me a sign-in link").click()
    await expect(page.get_by_text("A sign-in link is on its way")).to_be_visible()
    await page.goto(live.wait_for_mail("magic-link", email))
    await expect(page).to_have_url(re.compile("/en-US/billing$"))
    await expect(page.get_by_role("heading", name="Billing")).to_be_visible()


def totp_now(secret: str, at: float | None = None) -> str:
    """RFC 6238 as an authenticator app computes it (SHA-1, 6 digits, 30 s), written here
    rather than borrowed from the server so the test checks the server against the RFC."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(key, counter.to_bytes(8, "big"), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = int.from_bytes(digest[offset : offset + 4], "big") & 0x7FFFFFFF
    return str(value % 1_000_000).zfill(6)


async def test_two_factor_setup_with_qr_then_sign_in_with_a_totp_or_backup_code(
    browser: Browser, live: Live, tabs: list[Tab]
) -> None:
    tab = await new_tab(browser, live, tabs, DESKTOP)
    tab.expected.append("status of 400")  # the wrong password, on purpose
    tab.expected.append("status of 401")
    page = tab.page
    email = f"alan-{secrets.token_hex(3)}@example.com"
    await sign_up(tab, "Alan Turing", email)
    await tab.goto("/en-US/settings")
    security = page.get_by_role("region", name="Security")
    await expect(security.get_by_text("Off", exact=True)).to_be_visible()
    await security.get_by_label("Password for two-step verification").fill("not my password")
    await security.get_by_role("button", name="Set up two-step verification").click()
    await expect(security.get_by_role("alert")).to_contain_text("Invalid password")
    await security.get_by_label("Password for two-step verification").fill(PASSWORD)
    await security.get_by_role("button", name="Set up two-step verification").click()
    await expect(
        security.get_by_role("img", name="QR code for your authenticator app")
    ).to_be_visible()
    secret = await security.get_by_test_id("totp-secret").inner_text()
    backup = (
        await security.get_by_role("list", name="Backup codes")
        .get_by_role("listitem")
        .all_inner_texts()
    )
    assert len(backup) >= 8 and secret
    await accessible(tab)
    await security.get_by_label("Authenticator code").fill(totp_now(secret))
    await security.get_by_role("button", name="Confirm and turn on").click()
    await expect(security.get_by_text("Two-step verification is on.")).to_be_visible()
    await expect(security.get_by_text("On", exact=True)).to_be_visible()

    # Signing in with the password now asks for the second step, then comes back.
    await tab.context.clear_cookies()
    await tab.goto("/en-US/sign-in?redirect=%2Fen-US%2Fusage")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page).to_have_url(re.compile(r"/en-US/two-factor\?"))
    await expect(page.get_by_role("heading", name="Two-step verification")).to_be_visible()
    await accessible(tab)
    await page.get_by_label("Authenticator code").fill(
        "000000" if totp_now(secret) != "000000" else "111111"
    )
    await page.get_by_role("button", name="Verify").click()
    await expect(page.get_by_role("alert")).to_be_visible()
    await page.get_by_label("Authenticator code").fill(totp_now(secret))
    await page.get_by_role("button", name="Verify").click()
    await expect(page).to_have_url(re.compile("/en-US/usage$"))

    # A backup code works once (another person's address: sign-in is limited per address).
    other = await new_tab(browser, live, tabs, DESKTOP)
    other.expected.append("status of 400")  # the spent backup code
    await sign_in_second_step(other, email)
    await other.page.get_by_role("button", name="Backup code").click()
    await other.page.get_by_label("Backup code").fill(backup[0])
    await other.page.get_by_role("button", name="Verify").click()
    await expect(other.page).to_have_url(re.compile("/en-US/dashboard$"))
    await other.context.clear_cookies()
    await sign_in_second_step(other, email)
    await other.page.get_by_role("button", name="Backup code").click()
    await other.page.get_by_label("Backup code").fill(backup[0])
    await other.page.get_by_role("button", name="Verify").click()
    await expect(other.page.get_by_role("alert")).to_be_visible()
    await other.page.get_by_label("Backup code").fill(backup[1])
    await other.page.get_by_role("button", name="Verify").click()
    await expect(other.page).to_have_url(re.compile("/en-US/dashboard$"))

    # Or a code by mail, trusting this device: its next sign-in skips the second step.
    mailed = await new_tab(browser, live, tabs, DESKTOP)
    await sign_in_second_step(mailed, email)
    await mailed.page.get_by_role("button", name="Email code").click()
    sent = len(live.mails())
    await mailed.page.get_by_role("button", name="Email me a code").click()
    await expect(mailed.page.get_by_text("A code is on its way")).to_be_visible()
    await mailed.page.get_by_label("Emailed code").fill(
        live.wait_for_code("two-factor-otp", email, after=sent)
    )
    await mailed.page.get_by_label("Trust this device for 30 days").check()
    await mailed.page.get_by_role("button", name="Verify").click()
    await expect(mailed.page).to_have_url(re.compile("/en-US/dashboard$"))
    await mailed.page.get_by_role("button", name="Account menu for Alan Turing").click()
    await mailed.page.get_by_role("menuitem", name="Sign out").click()
    await sign_in(mailed, email)  # a trusted device: straight to the dashboard

    await tab.goto("/en-US/settings")
    await security.get_by_label("Password for two-step verification").fill(PASSWORD)
    await security.get_by_role("button", name="Turn off two-step verification").click()
    await expect(security.get_by_text("Off", exact=True)).to_be_visible()
    await sign_in(await new_tab(browser, live, tabs, DESKTOP), email)  # the password alone


async def sign_in_second_step(tab: Tab, email: str) -> None:
    await tab.goto("/en-US/sign-in")
    await tab.page.get_by_label("Email").fill(email)
    await tab.page.get_by_label("Password").fill(PASSWORD)
    await tab.page.get_by_role("button", name="Sign in").click()
    await expect(tab.page).to_have_url(re.compile(r"/en-US/two-factor\?"))


async def test_api_key_created_once_works_on_the_api_and_stops_when_revoked(
    browser: Browser, live: Live, tabs: list[Tab]
) -> None:
    tab = await new_tab(browser, live, tabs, DESKTOP)
    page = tab.page
    await sign_up(tab, "Katherine Johnson", f"kj-{secrets.token_hex(3)}@example.com")
    await tab.goto("/en-US/settings#api-keys")
    section = page.get_by_role("region", name="API keys")
    await expect(section.get_by_text("No API keys yet.")).to_be_visible()
    await section.get_by_label("Key name").fill("nightly script")
    await section.get_by_label("Expires").select_option(label="In 30 days")
    await section.get_by_role("button", name="Create API key").click()
    await expect(section.get_by_text("It is shown only now")).to_be_visible()
    key = await section.get_by_test_id("new-api-key").inner_text()
    row = section.get_by_role("list", name="API keys").get_by_role("listitem")
    await expect(row).to_have_count(1)
    await expect(row).to_contain_text("nightly script")
    await expect(row).to_contain_text(key[:6])
    assert key not in await row.inner_text()  # the list shows only its start
    await accessible(tab)

    async with httpx.AsyncClient(base_url=live.url) as client:
        me = await client.get("/api/me", headers={"x-api-key": key})
        assert me.status_code == 200, me.text
        await row.get_by_role("button", name="Revoke").click()
        await page.get_by_role("alertdialog").get_by_role("button", name="Revoke").click()
        await expect(section.get_by_text("No API keys yet.")).to_be_visible()
        assert (await client.get("/api/me", headers={"x-api-key": key})).status_code == 401


async def test_search_finds_an_uploaded_document_and_opens_the_passage(
    browser: Browser, live: Live, tabs: list[Tab]
) -> None:
    tab = await new_tab(browser, live, tabs, DESKTOP)
    page = tab.page
    await sign_up(tab, "Ida Wells", f"ida-{secrets.token_hex(3)}@example.com")
    await tab.goto("/en-US/documents")
    text = (
        "# Harbour report\n\nThe harbour commission approved a new lighthouse on the north pier. "
        "Fishing boats <b>must</b> report their catch weekly.\n"
    )
    await page.get_by_label("Choose files").set_input_files(
        files=[{"name": "harbour.md", "mimeType": "text/markdown", "buffer": text.encode()}]
    )
    row = page.get_by_role("row").filter(has_text="harbour.md")
    await expect(row).to_contain_text("Ready", timeout=15_000)

    await page.get_by_role("link", name="Search").first.click()
    await expect(page).to_have_url(re.compile("/en-US/search$"))
    await page.get_by_role("searchbox", name="Search your documents").fill("lighthouse")
    await page.get_by_role("button", name="Search", exact=True).click()
    await expect(page).to_have_url(re.compile(r"/en-US/search\?q=lighthouse$"))
    results = page.get_by_role("list", name="Search results").get_by_role("listitem")
    await expect(results).to_have_count(1)
    await expect(results.locator("mark").first).to_have_text(re.compile("lighthouse", re.I))
    await accessible(tab)
    await results.get_by_role("button", name="Show passage").click()
    dialog = page.get_by_role("dialog")
    await expect(dialog).to_contain_text("approved a new lighthouse")
    await expect(dialog).to_contain_text("<b>must</b>")  # markup in a document stays text
    await accessible(tab)
    await dialog.get_by_role("link", name=re.compile("Open")).click()
    await expect(page).to_have_url(re.compile("/en-US/documents/[0-9a-f-]+$"))

    await tab.goto("/en-US/search?q=zeppelin")
    await expect(page.get_by_text("Nothing matches “zeppelin”.")).to_be_visible()


async def test_ask_a_document_streams_an_answer_with_citations_that_open_the_passage(
    browser: Browser, live: Live, tabs: list[Tab]
) -> None:
    tab = await new_tab(browser, live, tabs, DESKTOP)
    page = tab.page
    await sign_up(tab, "Rosalind Franklin", f"rf-{secrets.token_hex(3)}@example.com")
    await tab.goto("/en-US/documents")
    text = (
        "# Observatory notes\n\nThe observatory dome was repaired in March after the storm. "
        "The new telescope mirror measures two metres across.\n"
    )
    await page.get_by_label("Choose files").set_input_files(
        files=[{"name": "observatory.md", "mimeType": "text/markdown", "buffer": text.encode()}]
    )
    row = page.get_by_role("row").filter(has_text="observatory.md")
    await expect(row).to_contain_text("Ready", timeout=15_000)
    await row.get_by_role("link").first.click()
    await expect(page).to_have_url(re.compile("/en-US/documents/[0-9a-f-]+$"))
    await page.get_by_role("button", name="Ask", exact=True).click()
    await expect(page).to_have_url(re.compile("/en-US/chat/[0-9a-f-]+$"))
    await expect(page.get_by_label("Answer from my documents")).to_be_checked()
    await expect(page.get_by_text("Answers come from: observatory")).to_be_visible()
    await page.get_by_label("Model").select_option("mock:raypx-1")
    await page.get_by_role("textbox", name="Message").fill(
        "When was the observatory dome repaired?"
    )
    await page.get_by_role("button", name="Send").click()
    messages = page.get_by_role("list", name="Messages")
    sources = messages.get_by_role("list", name="Sources")
    await expect(sources.get_by_role("button").first).to_contain_text("observatory", timeout=15_000)
    await expect(messages).to_contain_text("March")
    await accessible(tab)
    await sources.get_by_role("button").first.click()
    dialog = page.get_by_role("dialog")
    await expect(dialog).to_contain_text("The observatory dome was repaired in March")
    await accessible(tab)
    await page.keyboard.press("Escape")
    await page.reload()  # the citations are stored with the answer
    await expect(sources.get_by_role("button").first).to_contain_text("observatory")
