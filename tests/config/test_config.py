"""newsletter.toml: defaults, every kind of mistake (all reported at once), the default file."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from newsletter.config.default_file import render_default_toml
from newsletter.config.load import parse_config
from newsletter.config.schema import DEFAULT_THEMES, Colors, Config, Theme
from newsletter.errors import ConfigError, Problem, WorkspaceError
from newsletter.workspace import open_workspace


def problems_of(text: str) -> list[Problem]:
    with pytest.raises(ConfigError) as info:
        parse_config(text)
    return info.value.problems


def only_problem(text: str) -> Problem:
    problems = problems_of(text)
    assert len(problems) == 1, problems
    return problems[0]


# --- defaults -------------------------------------------------------------------------------


def test_empty_file_gives_the_defaults() -> None:
    config = parse_config("")
    assert config == Config()
    assert config.name == "MS Research Digest"
    assert config.timezone == "UTC"
    assert config.language == "en"
    assert config.summaries_dir == "summaries"
    assert config.fallback_theme == "research"
    assert config.colors == Colors()
    assert config.utm.campaign == "{issue}"
    assert config.themes == DEFAULT_THEMES


def test_nearly_empty_file_keeps_defaults_for_everything_else() -> None:
    config = parse_config('name = "Brain News"\n[colors]\nprimary = "#123456"\n')
    assert config.name == "Brain News"
    assert config.colors.primary == "#123456"
    assert config.colors.background == Colors().background
    assert config.theme_ids == ("treatments", "progression", "diagnosis", "living", "related",
                                "research")


# --- unknown keys ---------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "field", "suggestion"), [
    ('nmae = "x"\n', "nmae", "name"),
    ('[colors]\nprimry = "#ffffff"\n', "colors.primry", "primary"),
    ('[utm]\nsorce = "a"\n', "utm.sorce", "source"),
    ('[disclaimer]\ntxt = "b"\n', "disclaimer.txt", "text"),
    ('fallback_theme = "research"\n[[themes]]\nid = "research"\nlabel = "R"\nlabl = "x"\n',
     "themes[0].labl", "label"),
])
def test_unknown_key_is_an_error_with_did_you_mean(text: str, field: str, suggestion: str) -> None:
    problem = only_problem(text)
    assert problem.where == "newsletter.toml"
    assert problem.field == field
    assert problem.message == "unknown key"
    assert problem.fix == f"remove it or rename it (did you mean '{suggestion}'?)"


def test_unknown_key_without_a_close_match_lists_the_known_keys() -> None:
    problem = only_problem('[utm]\nzzzzzz = "a"\n')
    assert problem.fix == "remove it or rename it (known keys: source, medium, campaign)"


# --- wrong types ----------------------------------------------------------------------------


def test_name_must_be_text() -> None:
    problem = only_problem("name = 3\n")
    assert problem.field == "name"
    assert problem.message == "must be text (a quoted string), got a number"


def test_themes_must_be_a_list_of_tables() -> None:
    problem = only_problem('themes = "x"\n')
    assert problem.field == "themes"
    assert problem.message == "must be a list of a table ([theme]), got text"


def test_a_table_given_as_text_is_a_type_error() -> None:
    problem = only_problem('colors = "red"\n')
    assert (problem.field, problem.message) == ("colors", "must be a table ([colors]), got text")


def test_theme_keyword_of_wrong_type_names_its_index() -> None:
    problem = only_problem('fallback_theme = "a"\n[[themes]]\nid = "a"\nlabel = "A"\nkeywords = ["x", 1]\n')
    assert problem.field == "themes[0].keywords[1]"
    assert problem.message == "must be text (a quoted string), got a number"


# --- bad values -----------------------------------------------------------------------------


@pytest.mark.parametrize(("line", "field", "message"), [
    ('logo_url = "http://x.org/logo.png"', "logo_url",
     "'http://x.org/logo.png' is not an absolute https URL (images must be served over https)"),
    ('website_url = "example.org"', "website_url", "'example.org' is not an absolute http(s) URL"),
    ('from_email = "nobody"', "from_email", "'nobody' is not an email address"),
    ('timezone = "Mars/Olympus"', "timezone",
     "'Mars/Olympus' is not an IANA time zone (for example 'UTC' or 'Europe/London')"),
    ('language = "english_US"', "language",
     "'english_US' is not a language tag such as 'en' or 'en-GB'"),
    ('summaries_dir = "../x"', "summaries_dir",
     "'../x' must be a folder inside the workspace (relative, without '..')"),
    ('summaries_dir = "/srv/summaries"', "summaries_dir",
     "'/srv/summaries' must be a folder inside the workspace (relative, without '..')"),
    ('output_dir = ""', "output_dir",
     "'' must be a folder inside the workspace (relative, without '..')"),
    ('section_url = "https://x.org/topics"', "section_url",
     "'https://x.org/topics' must contain {theme}, e.g. https://example.org/topics/{theme}"),
    ('section_url = "ftp://x.org/{theme}"', "section_url",
     "'ftp://x.org/theme' is not an absolute http(s) URL"),
    ('name = "   "', "name", "must not be empty"),
    ('fallback_theme = "Research"', "fallback_theme",
     "'Research' is not a theme id (lower-case letters, digits and hyphens, e.g. 'treatments')"),
])
def test_bad_value_is_reported_on_its_field(line: str, field: str, message: str) -> None:
    problem = only_problem(line + "\n")
    assert (problem.where, problem.field, problem.message) == ("newsletter.toml", field, message)
    assert problem.level == "error"


def test_bad_value_fix_shows_the_documentation_and_default() -> None:
    problem = only_problem('timezone = "Nowhere/Town"\n')
    assert problem.fix == 'Dates are selected in this IANA time zone. Default: "UTC"'


@pytest.mark.parametrize("colour", ["blue", "#12345", "#ggg", "1f4e79"])
def test_bad_hex_colour(colour: str) -> None:
    problem = only_problem(f'[colors]\nprimary = "{colour}"\n')
    assert problem.field == "colors.primary"
    assert problem.message == f"'{colour}' is not a hex colour such as #1f4e79"


@pytest.mark.parametrize("colour", ["#fff", "#1F4E79"])
def test_good_hex_colours(colour: str) -> None:
    assert parse_config(f'[colors]\ntext = "{colour}"\n').colors.text == colour


def test_pattern_with_unknown_placeholder() -> None:
    problem = only_problem('subject_pattern = "{name} for {mnth}"\n')
    assert problem.field == "subject_pattern"
    assert problem.message.startswith("unknown placeholder {mnth}; known: {name}, {issue}, {period}, ")
    assert "{count}" in problem.message and "{themes}" in problem.message


def test_pattern_with_a_stray_brace() -> None:
    problem = only_problem('preheader_pattern = "{count new"\n')
    assert problem.field == "preheader_pattern"
    assert problem.message.startswith("'{count new' is not a valid pattern (")


def test_valid_patterns_and_language_tags_are_accepted() -> None:
    config = parse_config('subject_pattern = "{name} – {period} ({count})"\nlanguage = "en-GB"\n'
                          'section_url = "https://x.org/topics/{theme}"\n')
    assert config.subject_pattern == "{name} – {period} ({count})"
    assert config.language == "en-GB"
    assert config.section_url == "https://x.org/topics/{theme}"


# --- every problem at once ------------------------------------------------------------------


def test_all_problems_are_reported_in_one_error() -> None:
    text = (
        "name = 3\n"
        'logo_url = "http://x.org/logo.png"\n'
        'timezone = "Mars/Olympus"\n'
        'summaries_dir = "../x"\n'
        "[colors]\n"
        'primary = "blue"\n'
    )
    with pytest.raises(ConfigError) as info:
        parse_config(text)
    error = info.value
    assert [p.field for p in error.problems] == [
        "name", "logo_url", "timezone", "summaries_dir", "colors.primary"]
    assert error.message == "newsletter.toml has 5 problems"
    assert str(error).count("\n  - newsletter.toml: ") == 5


def test_one_problem_is_singular() -> None:
    with pytest.raises(ConfigError, match=r"^newsletter.toml has 1 problem\n"):
        parse_config("name = 3\n")


def test_toml_syntax_error_reports_its_line() -> None:
    with pytest.raises(ConfigError) as info:
        parse_config('name = "ok"\nwebsite_url = "https://x.org"\ntimezone = UTC\n')
    assert info.value.message == "newsletter.toml is not valid TOML"
    [problem] = info.value.problems
    assert problem.line == 3
    assert problem.where == "newsletter.toml"
    assert problem.fix == "check the quoting and brackets on that line"


# --- themes ---------------------------------------------------------------------------------


CUSTOM_THEMES = """\
fallback_theme = "other"

[[themes]]
id = "repair"
label = "Repair"
keywords = ["remyelination", "repair"]
colour = "#112233"

[[themes]]
id = "other"
label = "Other news"
"""


def test_custom_themes_replace_the_default_taxonomy() -> None:
    config = parse_config(CUSTOM_THEMES)
    assert config.themes == (
        Theme(id="repair", label="Repair", keywords=("remyelination", "repair"), colour="#112233"),
        Theme(id="other", label="Other news"),
    )
    assert config.theme_ids == ("repair", "other")
    assert config.theme("other").colour == "#4a5563"


def test_theme_needs_an_id_and_a_label() -> None:
    problems = problems_of('[[themes]]\nid = "research"\n')
    assert [(p.field, p.message) for p in problems] == [("themes[0].label", "is required")]


def test_duplicate_theme_ids_are_an_error() -> None:
    problem = only_problem('fallback_theme = "a"\n[[themes]]\nid = "a"\nlabel = "A"\n'
                           '[[themes]]\nid = "a"\nlabel = "Again"\n')
    assert problem.field == "themes"
    assert problem.message == "theme id 'a' is used more than once"
    assert problem.fix == "give each theme its own id"


def test_fallback_theme_must_be_one_of_the_themes() -> None:
    problem = only_problem('[[themes]]\nid = "a"\nlabel = "A"\n[[themes]]\nid = "b"\nlabel = "B"\n')
    assert problem.field == "fallback_theme"
    assert problem.message == "'research' is not one of the themes (a, b)"


def test_an_empty_theme_list_is_an_error() -> None:
    problem = only_problem("themes = []\n")
    assert (problem.field, problem.message) == ("themes", "at least one theme is needed")


def test_missing_theme_ids_report_only_the_missing_ids() -> None:
    problems = problems_of('fallback_theme = "a"\n[[themes]]\nlabel = "A"\n[[themes]]\nlabel = "B"\n')
    assert [(p.field, p.message) for p in problems] == [
        ("themes[0].id", "is required"), ("themes[1].id", "is required")]


# --- the commented default file -------------------------------------------------------------


def test_default_toml_parses_back_to_the_defaults() -> None:
    text = render_default_toml()
    assert parse_config(text) == Config()
    assert '# timezone = "UTC"' in text
    assert tomllib.loads(text) == {"colors": {}, "utm": {}, "disclaimer": {}, "checks": {},
                                   "import": {}, "send_test": {}}


def test_default_toml_with_values_writes_them_active() -> None:
    text = render_default_toml({"name": 'The "Brain" Digest', "timezone": "Europe/London",
                                "website_url": "https://example.org"})
    config = parse_config(text)
    assert config.name == 'The "Brain" Digest'
    assert config.timezone == "Europe/London"
    assert config.website_url == "https://example.org"
    assert config.language == "en"
    assert 'timezone = "Europe/London"' in text.splitlines()


def test_default_toml_documents_every_setting() -> None:
    text = render_default_toml()
    for key in ("name", "logo_url", "section_url", "subject_pattern", "fallback_theme"):
        assert f"# {key} = " in text
    assert "[colors]" in text and "[utm]" in text and "[disclaimer]" in text


# --- reading the file and finding the workspace ---------------------------------------------


def test_non_utf8_config_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "newsletter.toml").write_bytes(b'name = "Caf\xe9 news"\n')
    with pytest.raises(ConfigError) as info:
        open_workspace(tmp_path)
    assert info.value.message == "newsletter.toml is not UTF-8 text"
    [problem] = info.value.problems
    assert problem.message == "byte 11 is not UTF-8"
    assert problem.fix == "save the file as UTF-8"


def test_workspace_is_found_from_a_subfolder(make_ws) -> None:
    ws = make_ws('section_url = "https://example.org/t/{theme}"\n')
    sub = ws.root / "summaries" / "2026" / "05"
    sub.mkdir(parents=True)
    found = open_workspace(cwd=sub)
    assert found.root == ws.root.resolve()
    assert found.config.name == "Test Digest"
    assert found.config.section_url == "https://example.org/t/{theme}"
    assert found.summaries_path == ws.root.resolve() / "summaries"


def test_folder_without_config_is_not_a_workspace(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError, match=r"`newsletter init DIR`"):
        open_workspace(cwd=tmp_path)
    with pytest.raises(WorkspaceError, match=r"has no newsletter\.toml"):
        open_workspace(tmp_path)


def test_config_problems_surface_when_opening_a_workspace(make_ws) -> None:
    with pytest.raises(ConfigError) as info:
        make_ws('language = "english_US"\n')
    assert [p.field for p in info.value.problems] == ["language"]


def test_bad_theme_id_adds_no_follow_on_problems() -> None:
    problem = only_problem('fallback_theme = "a"\n[[themes]]\nid = "Bad"\nlabel = "A"\n'
                           '[[themes]]\nid = "a"\nlabel = "B"\n')
    assert problem.field == "themes[0].id"
    assert problem.message.startswith("'Bad' is not a theme id")
