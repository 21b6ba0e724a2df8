"""The MJML compiler (MRML, through PyPI `mjml-python`) and the CSS inliner (`css-inline`): what
the project relies on them for, MJML's Outlook markup, and node `mjml --validate` on the
templates' output (the reference compiler; installed by `make node-mjml`)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from helpers import REPO, copy_sample, realistic, summary_text

from newsletter.build import build
from newsletter.errors import TemplateError
from newsletter.render import compiled
from newsletter.render.html import compile_mjml, inline_css, minify
from newsletter.workspace import open_workspace

NODE_MJML = REPO / "benchmarks" / ".node" / "node_modules" / ".bin" / "mjml"


def _mjml(body: str, head: str = "") -> str:
    return (f"<mjml><mj-head>{head}</mj-head><mj-body><mj-section><mj-column><mj-text>{body}"
            "</mj-text></mj-column></mj-section></mj-body></mjml>")


def test_white_space_between_tags_on_two_lines_is_kept():
    # MRML drops a white-space gap holding a newline; markdown-it writes one between two links
    html = compile_mjml(_mjml('<a href="https://x.org/a">first</a>\n<a href="https://x.org/b">'
                              "second</a> and <strong>b</strong>\n<em>i</em><pre>x\n</pre>"))
    assert "first</a> <a" in html and "<strong>b</strong> <em>" in html


def test_gaps_are_kept_on_both_sides_of_each_pre_block_and_nothing_else_changes():
    """Each stretch between <pre> blocks gets its gaps kept as one space, however many blocks
    come before it; the blocks themselves are left to the compiler (which, like every gap with
    a newline, drops theirs)."""
    html = compile_mjml(_mjml(
        '<a href="https://x.org/a">a</a>\n<a href="https://x.org/b">b</a>'
        "<pre><b>p</b>\n<i>q</i></pre>"
        '<a href="https://x.org/c">c</a>\n<a href="https://x.org/d">d</a>'
        "<pre><b>r</b>\n<i>s</i></pre><em>e</em>\n<em>f</em>"))
    assert ('<a href="https://x.org/a">a</a> <a href="https://x.org/b">b</a>'
            "<pre><b>p</b><i>q</i></pre>"
            '<a href="https://x.org/c">c</a> <a href="https://x.org/d">d</a>'
            "<pre><b>r</b><i>s</i></pre><em>e</em> <em>f</em></div>") in html


def test_intro_links_on_consecutive_lines_keep_their_space(make_ws):
    ws = make_ws(summaries={"a.md": summary_text()}, issues={"2026-05.toml": '''
        from = 2026-05-01
        to = 2026-05-31
        intro = """See [one](https://example.org/1)
[two](https://example.org/2)."""
        '''})
    assert re.search(r">one</a> <a [^>]*>two</a>", build(ws, "2026-05", write=False).html)


@pytest.mark.parametrize("source", [
    _mjml("x").replace("<mj-column>", "<mj-colum>").replace("</mj-column>", "</mj-colum>"),
    _mjml("x", head="<mj-atributes></mj-atributes>"),
])
def test_an_unknown_tag_is_an_error_naming_it(source):
    with pytest.raises(TemplateError, match=r"<mj-(colum|atributes)>, which is not an MJML tag"):
        compile_mjml(source)


def test_the_unknown_tag_message_in_full():
    with pytest.raises(TemplateError) as caught:
        compile_mjml(_mjml("<mj-txet>x</mj-txet>"), "email.mjml.j2")
    assert caught.value.message == (
        "template email.mjml.j2 (or a partial it includes) uses <mj-txet>, which is not an MJML "
        "tag. Check its spelling and where it is placed (for example mj-class belongs inside "
        "mj-attributes)")


def test_known_tags_in_raw_html_and_comments_are_not_checked():
    html = compile_mjml(_mjml("x").replace(
        "<mj-text>", "<mj-raw><mj-nothing>raw</mj-nothing></mj-raw><!-- <mj-old> --><mj-text>"))
    assert "raw" in html


def test_broken_mjml_is_a_template_error():
    with pytest.raises(TemplateError, match="did not produce MJML"):
        compile_mjml("<mjml><mj-body><mj-section>")


def test_inliner_keeps_head_blocks_and_the_theme_at_rules_in_place():
    document = compile_mjml(_mjml(
        '<p class="k">x</p><a href="https://x.org/?a=1&amp;b=2">y</a>',
        head="<mj-style>/*nl:inline*/ .k{color:#123456} a{color:#654321} "
             "@media (max-width:480px){.k{font-size:20px !important}}</mj-style>"
             "<mj-style>@media (prefers-color-scheme: dark){.k{color:#fff !important}}</mj-style>"))
    html = minify(inline_css(document))
    head, body = html.split("</head>", 1)
    assert html.startswith("<!doctype html>")
    assert '<p class="k" style="color:#123456">x</p>' in body  # inlined, class kept
    assert 'href="https://x.org/?a=1&amp;b=2" style="color:#654321"' in body
    assert "@media (max-width:480px){.k{font-size:20px !important}}" in head.replace(" ;", ";")
    assert "prefers-color-scheme: dark" in head and "#outlook a" in head  # kept verbatim
    assert "nl:inline" not in html and "data-css-inline" not in html and "nl:at-rules" not in html
    at_rules = head.index("max-width:480px")
    assert head.index("mj-column-per-100") < at_rules < head.index("prefers-color-scheme")


def test_outlook_conditional_comments_survive_the_whole_pipeline(sample_ws):
    html = build(sample_ws, "2026-05", write=False).html
    opened = re.findall(r"<!--\[if [^\]]+\]>", html)
    closed = re.findall(r"<!\[endif\]-->", html)
    assert len(opened) == len(closed) > 10
    assert "<!--[if mso | IE]><table" in html and "<o:OfficeDocumentSettings>" in html
    assert "<!--[if !mso]><!-->" in html and "<!--<![endif]-->" in html
    assert ".mj-outlook-group-fix" in html
    for block in re.findall(r"<!--\[if mso \| IE\]>(.*?)<!\[endif\]-->", html, re.S):
        assert "<!--" not in block  # no comment cut in half


def test_the_toolchain_stamp_follows_the_compiler_and_the_inliner(tmp_path, monkeypatch):
    for name in ("fakecompiler", "fakeinliner"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "__init__.py").write_text("")
        (tmp_path / name / f"{name}.abi3.so").write_bytes(b"binary")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(compiled, "TOOLCHAIN", ("fakecompiler", "fakeinliner"))
    stamps = []
    for change in (None, "fakecompiler", "fakeinliner"):
        if change:
            (tmp_path / change / f"{change}.abi3.so").write_bytes(b"another build")
        compiled.toolchain_stamp.cache_clear()
        stamps.append(compiled.toolchain_stamp())
    compiled.toolchain_stamp.cache_clear()
    assert len(set(stamps)) == 3


def test_the_real_toolchain_is_mrml_and_css_inline():
    assert compiled.TOOLCHAIN == ("mjml", "css_inline")
    compiled.toolchain_stamp.cache_clear()
    stamp = compiled.toolchain_stamp()
    assert "mjml[" in stamp and ".so:" in stamp and "css_inline[" in stamp


# --- node mjml, the reference compiler ----------------------------------------------------------


def _node_mjml() -> Path:
    if NODE_MJML.exists():
        return NODE_MJML
    message = f"node mjml is not installed at {NODE_MJML} (`make node-mjml` installs it)"
    if os.environ.get("CI", "").lower() not in ("", "0", "false"):
        pytest.fail(message + "; CI must run the validation")
    pytest.skip(message)


def _validate(*mjml_files: Path) -> subprocess.CompletedProcess[str]:
    """One node run for several files (node's start is most of a run): an error names its file."""
    return subprocess.run([str(_node_mjml()), "--validate", *map(str, mjml_files)],
                          capture_output=True, text=True, timeout=120)


WORKSPACES = ("sample", "edge-cases", "realistic")


@pytest.fixture(scope="module")
def validated(tmp_path_factory: pytest.TempPathFactory) -> subprocess.CompletedProcess[str]:
    """node `mjml --validate` over the email.mjml of each of WORKSPACES, in one run."""
    _node_mjml()  # skips (or fails under CI) before anything is built
    root = tmp_path_factory.mktemp("validate")
    workspaces = {"sample": copy_sample(root / "sample")}
    shutil.copytree(REPO / "tests" / "golden" / "edge-cases" / "input", root / "edge")
    workspaces["edge-cases"] = open_workspace(root / "edge")
    workspaces["realistic"] = open_workspace(realistic.write_workspace(root / "ws", 30))
    files = []
    for name in WORKSPACES:
        files.append(root / f"{name}.mjml")
        files[-1].write_text(build(workspaces[name], "2026-05", write=False).email.mjml,
                             encoding="utf-8")
    return _validate(*files)


@pytest.mark.parametrize("workspace", WORKSPACES)
def test_node_mjml_validates_the_email(workspace, validated):
    output = validated.stdout + validated.stderr
    assert f"{workspace}.mjml" not in output, output
    assert validated.returncode == 0 and not output.strip(), output


def test_node_mjml_validation_can_fail(tmp_path):
    source = tmp_path / "bad.mjml"
    source.write_text(_mjml("x").replace("mj-column", "mj-colum"), encoding="utf-8")
    done = _validate(source)
    assert done.returncode != 0 and "mj-colum" in done.stdout + done.stderr


def test_the_venv_has_one_mjml_module():
    # PyPI `mjml` (the pure-Python port) and `mjml-python` both install `mjml/`: only MRML's
    import mjml

    assert hasattr(mjml, "mjml2html") and not hasattr(mjml, "mjml_to_html")


def test_several_marked_style_blocks_are_all_inlined_and_leave_no_marker():
    """A workspace template may carry more than one /*nl:inline*/ block: each is inlined, the
    at-rules kept once where the first was, and no placeholder of the inliner's is left."""
    from newsletter.render.html import INLINE_MARKER, inline_css

    doc = ("<!doctype html><html><head>"
           f"<style>{INLINE_MARKER} p {{ color: red }} "
           "@media (max-width: 400px) { p { color: blue !important } }</style>"
           f"<style>{INLINE_MARKER} a {{ color: green }}</style>"
           '<style data-css-inline="ignore">b { color: pink }</style>'
           '</head><body><p>x</p><a href="https://e.org">y</a><b>z</b></body></html>')
    assert inline_css(doc) == (
        '<!doctype html><html><head><style type="text/css">@media (max-width: 400px) '
        "{ p { color: blue !important } }</style><style>b { color: pink }</style></head>"
        '<body><p style="color:red">x</p><a href="https://e.org" style="color:green">y</a>'
        "<b>z</b></body></html>")


def test_a_stylesheet_link_of_mj_font_is_kept():
    """A workspace template may use mj-font: its <link> to the font's stylesheet stays in the
    head (fetched by the clients that load web fonts, never by the inliner)."""
    from newsletter.render.html import inline_css

    link = '<link href="https://fonts.example.org/roboto.css" rel="stylesheet" type="text/css">'
    doc = f"<!doctype html><html><head>{link}</head><body><p>x</p></body></html>"
    assert link in inline_css(doc)


def test_css_the_inliner_refuses_is_a_template_error_naming_why(monkeypatch):
    """css-inline raises InlineError (a ValueError) on CSS it cannot parse; the build says so
    as a template problem, with the inliner's reason (it accepts most broken CSS, so a stand-in
    inliner raises here)."""
    import css_inline

    class Refusing:
        def __init__(self, **options: object) -> None:
            pass

        def inline(self, html: str) -> str:
            raise ValueError("Invalid @ rule: @nonsense")

    monkeypatch.setattr(css_inline, "CSSInliner", Refusing)
    with pytest.raises(TemplateError) as caught:
        inline_css("<!doctype html><html><head></head><body><p>x</p></body></html>")
    assert caught.value.message == "the theme's CSS could not be inlined: Invalid @ rule: @nonsense"


@pytest.mark.parametrize(("doctype", "expected"), [
    ("", '<!doctype html>\n<html><head></head><body><p>x</p></body></html>'),  # one is added
    ("<!doctype html>", "<!doctype html><html><head></head><body><p>x</p></body></html>"),
    # the inliner's parser writes any doctype as <!DOCTYPE html>, spelt as MJML does here
    ('<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
     '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">',
     "<!doctype html><html><head></head><body><p>x</p></body></html>"),
])
def test_the_inlined_document_has_exactly_one_doctype(doctype, expected):
    assert inline_css(f"{doctype}<html><head></head><body><p>x</p></body></html>") == expected


def test_the_head_starts_with_the_colour_scheme_metas_once():
    """Apple Mail and others darken an email only when it says it supports dark mode: the two
    metas open the head, once (written out here, not taken from the code)."""
    html = compile_mjml(_mjml("x"))
    metas = ('<meta name="color-scheme" content="light dark">'
             '<meta name="supported-color-schemes" content="light dark">')
    assert html.count(metas) == 1 and f"<head>{metas}" in html


def test_the_workspace_templates_key_names_each_file_and_its_time(tmp_path):
    """A workspace template added, removed, renamed or saved must reach a new environment: its
    key holds every file's path and mtime (and nothing without a templates folder)."""
    from newsletter.render.html import _override_files

    assert _override_files(None) == () and _override_files(tmp_path / "none") == ()
    card = tmp_path / "partials" / "card.mjml.j2"
    card.parent.mkdir()
    card.write_text("x")
    assert _override_files(tmp_path) == ((str(card), card.stat().st_mtime_ns),)


def test_a_compiled_template_is_loaded_from_the_bytecode_cache(tmp_path, monkeypatch):
    """A second process (a new environment on the same cache folder) loads the templates'
    compiled code instead of compiling them again."""
    import jinja2

    from newsletter.render.html import _bytecode_cache

    def environment() -> jinja2.Environment:
        return jinja2.Environment(loader=jinja2.DictLoader({"t.j2": "{{ 1 + 1 }}"}),
                                  bytecode_cache=_bytecode_cache(tmp_path))

    assert environment().get_template("t.j2").render() == "2"
    assert list(tmp_path.iterdir())  # the compiled code was stored

    def refuse(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("compiled again")

    monkeypatch.setattr(jinja2.Environment, "compile", refuse)
    assert environment().get_template("t.j2").render() == "2"


def test_jinjas_own_cache_files_from_before_are_removed(tmp_path):
    """Older builds let Jinja write its own, unverified cache files: they are never read again,
    and the cache folder drops them (its own entries stay)."""
    from newsletter.render.html import _bytecode_cache

    (tmp_path / "__jinja2_0123abcd.cache").write_bytes(b"old")
    (tmp_path / "kept.txt").write_text("x")
    _bytecode_cache(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept.txt"]


def test_template_errors_name_the_template_line_and_the_fix():
    import jinja2

    from newsletter.render.html import render_template

    env = jinja2.Environment(loader=jinja2.DictLoader({
        "main.j2": "{% include 'bad.j2' %}", "bad.j2": "a\n{% if %}",
        "undef.j2": "{{ nothing.here }}", "lost.j2": "{% include 'gone.j2' %}"}),
        undefined=jinja2.StrictUndefined)
    with pytest.raises(TemplateError) as missing:
        render_template(env, "lost.j2", {})
    assert missing.value.message == (
        "template lost.j2 includes 'gone.j2', which exists neither in the workspace's templates/ "
        "nor in the default theme")
    with pytest.raises(TemplateError) as syntax:  # named where the mistake is: the partial
        render_template(env, "main.j2", {})
    assert syntax.value.message == \
        "template bad.j2 line 2: Expected an expression, got 'end of statement block'"
    with pytest.raises(TemplateError) as undefined:
        render_template(env, "undef.j2", {})
    assert undefined.value.message == (
        "template undef.j2 (or a partial it includes): 'nothing' is undefined. See the README's "
        "'Templates' section for the names a template can use")
