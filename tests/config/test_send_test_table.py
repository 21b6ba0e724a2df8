"""newsletter.toml's [send_test] table: the desk's test sends (recipients and SMTP server)."""

from __future__ import annotations

import pytest

from newsletter.config.load import parse_config
from newsletter.config.schema import SendTest
from newsletter.errors import ConfigError


def test_defaults_send_to_nobody_through_a_local_catcher() -> None:
    assert parse_config("").send_test == SendTest((), "localhost:1025", False, False, "")


def test_a_full_table_is_read() -> None:
    config = parse_config('[send_test]\nrecipients = ["ed@example.org", "qa@example.org"]\n'
                          'smtp = "smtp.example.org:587"\nstarttls = true\nuser = "ed"\n')
    assert config.send_test == SendTest(("ed@example.org", "qa@example.org"),
                                        "smtp.example.org:587", True, False, "ed")


def test_every_problem_is_named_with_its_field() -> None:
    with pytest.raises(ConfigError) as info:
        parse_config('[send_test]\nrecipients = ["not an address"]\nsmtp = "smtp example:99999"\n'
                     'starttls = true\nssl = true\npassword = "secret"\n')
    found = {p.field: p for p in info.value.problems}
    assert set(found) == {"send_test.recipients", "send_test.smtp", "send_test.ssl",
                          "send_test.password"}
    assert "'not an address'" in found["send_test.recipients"].message
    assert "HOST:PORT" in found["send_test.smtp"].message
    assert "both true" in found["send_test.ssl"].message
    assert found["send_test.password"].message == "unknown key"  # only from the environment


@pytest.mark.parametrize("server", ["localhost", "localhost:1025", "smtp.example.org:587",
                                    "[::1]:2525", "127.0.0.1:25"])
def test_server_forms_that_are_accepted(server: str) -> None:
    assert parse_config(f'[send_test]\nsmtp = "{server}"\n').send_test.smtp == server


@pytest.mark.parametrize("server", ["", "host:0", "host:port", "a b", "host:70000"])
def test_server_forms_that_are_refused(server: str) -> None:
    with pytest.raises(ConfigError):
        parse_config(f'[send_test]\nsmtp = "{server}"\n')
