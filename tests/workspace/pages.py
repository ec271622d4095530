"""Playwright helpers for the workspace's browser tests: signing in as a person, screenshots."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.workspace.conftest import PASSWORD


def signed_in(browser: Any, base_url: str, username: str) -> Any:
    """A fresh browser context (its own cookies) with `username` signed in; returns its page."""
    context = browser.new_context(base_url=base_url, locale="vi-VN",
                                  viewport={"width": 1440, "height": 900})
    page = context.new_page()
    page.goto("/sign-in")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_load_state()
    assert "/sign-in" not in page.url, page.inner_text("main")
    return page


def shot(page: Any, folder: Path, name: str) -> None:
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
