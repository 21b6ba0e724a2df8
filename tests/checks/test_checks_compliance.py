"""compliance: unsubscribe and postal address in both parts, preheader, subject, placeholders."""

from __future__ import annotations

from helpers.checks import ADDRESS, CONFIG_TOML, UNSUBSCRIBE, config, context, levels, page, run, text

UNSUB_TOKEN = "%%NL_UNSUBSCRIBE_URL%%"
ADDRESS_TOKEN = "%%NL_POSTAL_ADDRESS%%"
NO_URLS = 'name = "Test Digest"\n'  # neither unsubscribe_url nor postal_address


def generic(unsubscribe: str = UNSUB_TOKEN, address: str = ADDRESS) -> tuple[str, str]:
    html = page(footer=f'<p>{address}</p><p><a href="{unsubscribe}">Unsubscribe</a></p>')
    return html, text(address=address, unsubscribe=f"Unsubscribe: {unsubscribe}")


def test_unset_unsubscribe_url_is_info_in_the_generic_build() -> None:
    html, txt = generic()
    findings = run("compliance.unsubscribe", context(html, txt, config(base=NO_URLS)))
    assert levels(findings) == ["info"]
    assert findings[0].where == "newsletter.toml" and UNSUB_TOKEN in findings[0].message


def test_the_placeholder_left_in_an_export_is_an_error() -> None:
    html, txt = generic()
    findings = run("compliance.unsubscribe", context(html, txt, service="acme"))
    assert levels(findings) == ["error", "error"]
    assert all("acme export did not fill it" in f.message for f in findings)


def test_missing_unsubscribe_is_an_error_per_part() -> None:
    html = page(footer=f"<p>{ADDRESS}</p>")
    txt = text(unsubscribe="")
    findings = run("compliance.unsubscribe", context(html, txt))
    assert [(f.level, f.where) for f in findings] == [("error", "email.html"),
                                                      ("error", "email.txt")]


def test_a_hidden_unsubscribe_link_does_not_count() -> None:
    html = page(footer=f'<p>{ADDRESS}</p><p style="display:none"><a href="{UNSUBSCRIBE}">'
                       "Unsubscribe</a></p>")
    assert [f.where for f in run("compliance.unsubscribe", context(html))] == ["email.html"]


def test_service_tags_count_as_unsubscribe_links() -> None:
    for tag in ("*|UNSUB|*", "{{{unsubscribe}}}", "{{ UnsubscribeURL }}", "%unsubscribe_url%",
                "<%asm_group_unsubscribe_raw_url%>"):
        html, txt = generic(unsubscribe=tag.replace("<", "&lt;").replace(">", "&gt;"))
        txt = txt.replace("&lt;", "<").replace("&gt;", ">")
        assert run("compliance.unsubscribe", context(html, txt, service="svc")) == [], tag


def test_a_declared_merge_tag_counts_too() -> None:
    html, txt = generic(unsubscribe="[[unsub_link]]")
    ctx = context(html, txt, service="svc", merge_tags=("[[unsub_link]]",))
    assert run("compliance.unsubscribe", ctx) == []
    assert levels(run("compliance.unsubscribe", context(html, txt, service="svc"))) \
        == ["error", "error"]


def test_an_unsubscribe_link_in_another_language_is_found_by_its_address() -> None:
    html = page(footer=f'<p>{ADDRESS}</p><p><a href="https://example.org/unsubscribe?l=de">'
                       "Abmelden</a></p>")
    txt = text(unsubscribe="Abmelden: https://example.org/unsubscribe?l=de")
    assert run("compliance.unsubscribe", context(html, txt, config(base=NO_URLS))) == []


def test_unset_postal_address_is_an_error_in_the_generic_build() -> None:
    html, txt = generic(unsubscribe=UNSUBSCRIBE, address=ADDRESS_TOKEN)
    findings = run("compliance.postal-address", context(html, txt, config(base=NO_URLS)))
    assert [(f.level, f.where) for f in findings] == [("error", "newsletter.toml")]


def test_postal_address_tag_of_a_service_counts() -> None:
    html, txt = generic(unsubscribe="*|UNSUB|*", address="*|LIST:ADDRESSLINE|*")
    ctx = context(html, txt, config(base=NO_URLS), service="mailchimp")
    assert run("compliance.postal-address", ctx) == []
    html, txt = generic(unsubscribe="*|UNSUB|*", address=ADDRESS_TOKEN)
    ctx = context(html, txt, config(base=NO_URLS), service="mailchimp")
    assert levels(run("compliance.postal-address", ctx)) == ["error", "error"]


def test_a_multi_line_address_matches_its_html_lines() -> None:
    cfg = config(base=CONFIG_TOML.replace('"1 Test Street, Testville"',
                                          '"""1 Test Street\nTestville"""'))
    html = page(footer=f'<p>1 Test Street<br>Testville</p><p><a href="{UNSUBSCRIBE}">x</a></p>')
    assert run("compliance.postal-address", context(html, text(address="1 Test Street\nTestville"),
                                                    cfg)) == []


def test_a_hidden_address_is_missing() -> None:
    html = page(footer=f'<p style="display:none">{ADDRESS}</p>'
                       f'<p><a href="{UNSUBSCRIBE}">Unsubscribe</a></p>')
    findings = run("compliance.postal-address", context(html))
    assert [(f.level, f.where) for f in findings] == [("error", "email.html")]


def test_preheader_must_come_before_the_visible_text() -> None:
    late = page("<p>Hello</p>", preheader="").replace(
        "</body>", '<div style="display:none">Late preview</div></body>')
    assert levels(run("compliance.preheader", context(late))) == ["warning"]
    assert run("compliance.preheader", context(page())) == []


def test_subject_length() -> None:
    assert run("compliance.subject", context(page(title="x" * 70))) == []
    findings = run("compliance.subject", context(page(title="x" * 71)))
    assert [(f.level, f.where, f.message, f.fix) for f in findings] == [(
        "warning", "subject", f"the subject has 71 characters; inboxes show about 70 or fewer: "
        f"\"{'x' * 71}\"", "shorten the subject to 70 characters or fewer")]


def test_an_email_without_a_title_has_an_empty_subject() -> None:
    untitled = page().replace("<title>Test Digest: May 2026</title>", "")
    assert "<title>" not in untitled
    findings = run("compliance.subject", context(untitled))
    assert [(f.level, f.where, f.message, f.fix) for f in findings] == [
        ("error", "subject", "the subject is empty", 'set subject = "..." in the issue file')]
    spaces = run("compliance.subject", context(page(title="  \n ")))
    assert [f.message for f in spaces] == ["the subject is empty"]


def test_placeholders_are_fine_in_the_generic_build_but_not_in_an_export() -> None:
    html = page('<p><a href="%%NL_WEB_VERSION_URL%%">View</a></p>')
    txt = text("View: %%NL_PREFERENCES_URL%%")
    assert run("compliance.placeholders", context(html, txt)) == []
    findings = run("compliance.placeholders", context(html, txt, service="acme"))
    assert [(f.where, "acme" in f.message) for f in findings] == [("email.html", True),
                                                                  ("email.txt", True)]


def findings_of(rule: str, ctx) -> list[tuple[str, str, str, str | None]]:
    return [(f.level, f.where, f.message, f.fix) for f in run(rule, ctx)]


def test_the_unsubscribe_findings_word_for_word() -> None:
    keep = ("keep the unsubscribe link of partials/footer.mjml.j2 and email.txt.j2, and set "
            "unsubscribe_url in newsletter.toml (or export for a service)")
    assert findings_of("compliance.unsubscribe", context(page(footer=f"<p>{ADDRESS}</p>"),
                                                         text(unsubscribe=""))) == [
        ("error", "email.html", "no unsubscribe link", keep),
        ("error", "email.txt", "no unsubscribe link", keep)]
    html, txt = generic()
    assert findings_of("compliance.unsubscribe", context(html, txt, service="acme")) == [
        ("error", part, "the unsubscribe link is still the placeholder %%NL_UNSUBSCRIBE_URL%%: "
                        "the acme export did not fill it", "export again; if it persists, report it")
        for part in ("email.html", "email.txt")]
    assert findings_of("compliance.unsubscribe", context(html, txt, config(base=NO_URLS))) == [
        ("info", "newsletter.toml", "unsubscribe_url is not set: the email keeps "
         "%%NL_UNSUBSCRIBE_URL%%, which each service's export fills with its own unsubscribe link",
         "nothing to do when you send through `newsletter export`; set unsubscribe_url to send "
         "this build as it is")]


def test_the_postal_address_findings_word_for_word() -> None:
    assert findings_of("compliance.postal-address", context(cfg=config(base=NO_URLS))) == [
        ("error", "newsletter.toml", "postal_address is not set, so the email carries no postal "
         "address (bulk email must show one)",
         'set postal_address = "Organisation, street, town, postcode" in newsletter.toml')]
    html, txt = generic(address=ADDRESS_TOKEN)
    assert findings_of("compliance.postal-address", context(html, txt, service="acme")) == [
        ("error", part, "the postal address is still the placeholder %%NL_POSTAL_ADDRESS%%",
         "export again for the service, or set postal_address in newsletter.toml")
        for part in ("email.html", "email.txt")]
    html, txt = generic(address="")
    assert findings_of("compliance.postal-address", context(html, txt)) == [
        ("error", part, "the postal address is missing (or hidden)",
         "keep {{ placeholders.postal_address }} in the footer of partials/footer.mjml.j2 and "
         "email.txt.j2") for part in ("email.html", "email.txt")]


def test_the_preheader_finding_word_for_word() -> None:
    assert findings_of("compliance.preheader", context(page(preheader=""))) == [
        ("warning", "email.html", "no preheader: inboxes will preview the first text of the email "
         "instead", 'set preheader = "..." in the issue file, and keep the hidden preheader '
         "<div> at the top of <mj-body> in email.mjml.j2")]
    hidden_but_empty = '<div style="display:none">   </div>'
    assert levels(run("compliance.preheader", context(page(preheader=hidden_but_empty)))) == [
        "warning"]


def test_what_counts_as_an_unsubscribe_link_in_html() -> None:
    def found(anchor: str, cfg_extra: str = "", **kwargs: object) -> list[str]:
        html = page(footer=f"<p>{ADDRESS}</p><p>{anchor}</p>")
        cfg = config(base=f'name = "T"\npostal_address = "{ADDRESS}"\n' + cfg_extra)
        return levels(run("compliance.unsubscribe", context(html, text(), cfg, **kwargs)))

    leave = 'unsubscribe_url = "https://example.org/leave"\n'
    assert found('<a href="https://example.org/leave">Leave the list</a>', leave) == []
    assert found('<a href="https://example.org/optout">Unsubscribe here</a>') == []
    assert found('<a href="https://example.org/unsub?u=1">Leave</a>') == []
    assert found('<a href="https://example.org/optout">Leave</a>', leave) == ["error"]
    assert found('<a>Unsubscribe</a>') == ["error"]  # no href: not a link
    # a service's element (Campaign Monitor's <unsubscribe>) counts unless hidden
    assert found("<unsubscribe>Unsubscribe</unsubscribe>", service="campaign-monitor") == []
    assert found('<unsubscribe style="display:none">Unsubscribe</unsubscribe>',
                 service="campaign-monitor") == ["error"]


def test_what_counts_as_an_unsubscribe_link_in_text() -> None:
    cfg = config(base=f'name = "T"\npostal_address = "{ADDRESS}"\n')  # no unsubscribe_url

    def found(line: str) -> list[str]:
        return levels(run("compliance.unsubscribe", context(page(), text(unsubscribe=line), cfg)))

    assert found("To unsubscribe: <https://example.org/stop>") == []
    assert found("Unsubscribe (https://example.org/stop)") == []
    assert found("Unsubscribe at Xhttps://example.org/stop") == ["error"]  # not a link
    assert found("Unsubscribe by replying") == ["error"]
    assert found("Leave: https://example.org/stop") == ["error"]  # no "unsub" on the line
