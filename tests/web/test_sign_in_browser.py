"""Signing in and administering accounts in real headless Chromium, on the demo park."""

from __future__ import annotations

import secrets

import pytest

pytestmark = pytest.mark.browser


def _console_errors(page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors


def test_a_page_asks_for_login_then_returns_and_logout_ends_it(demo_server, demo_logins, browser):
    member = demo_logins["grid_member"]
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    try:
        page.goto(f"{demo_server}/check", wait_until="domcontentloaded")
        assert page.url == f"{demo_server}/login?next=/check"
        assert "登录" in page.title() and page.locator("html").get_attribute("lang") == "zh-CN"
        page.fill("#gm-username", member.username)
        page.fill("#gm-password", "not-the-password")
        page.click("form.gm-login button[type=submit]")
        assert page.locator("#gm-login-error").text_content() == "用户名或密码错误，或账号已停用。"
        assert page.input_value("#gm-username") == member.username
        page.fill("#gm-password", member.password)
        page.click("form.gm-login button[type=submit]")
        page.wait_for_url(f"{demo_server}/check")
        assert page.locator("#gm-user-name").text_content().startswith(member.username)
        assert "网格员" in page.locator("#gm-user-name small").text_content()
        assert page.locator(".gm-nav a[href='/admin/users']").count() == 0  # not an admin
        cookie = next(c for c in context.cookies() if c["name"] == "gridmap_session")
        assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
        page.click(".gm-logout button")
        page.wait_for_url(f"{demo_server}/login")
        page.goto(f"{demo_server}/", wait_until="domcontentloaded")
        assert page.url.startswith(f"{demo_server}/login")
    finally:
        context.close()


def test_an_admin_adds_a_user_who_then_shows_in_the_audit_log(demo_server, demo_page):
    page, watch = demo_page
    errors = _console_errors(page)
    name = f"page_{secrets.token_hex(3)}"
    page.goto(f"{demo_server}/admin/users", wait_until="networkidle")
    assert page.locator("#gm-users tbody tr").count() >= 6
    form = page.locator("#gm-add-user")
    form.locator("input[name=username]").fill(name)
    form.locator("input[name=display_name]").fill("<script>alert(1)</script>")
    form.locator("select[name=role]").select_option("viewer")
    form.locator("input[name=password]").fill("page-pass-123")
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"{demo_server}/admin/users?done=added&user={name}")
    assert f"已添加用户 {name}" in page.locator(".gm-done").text_content()
    row = page.locator(f"#gm-users tr[data-user='{name}']")
    assert row.locator("td").nth(1).text_content() == "<script>alert(1)</script>"
    page.goto(f"{demo_server}/admin/audit?table=users", wait_until="networkidle")
    first = page.locator("#gm-audit tbody tr").first
    assert "新增" in first.text_content() and "<script>alert(1)</script>" in first.text_content()
    assert first.locator("td").nth(1).text_content() == demo_page_admin(page)
    assert errors == []
    watch.assert_clean()


def demo_page_admin(page) -> str:
    """The signed-in administrator's user name, as the header shows it."""
    return page.locator("#gm-user-name").evaluate("a => a.firstChild.textContent.trim()")
