"""Jinja2 -> MJML -> HTML (MRML, through PyPI `mjml-python`) -> CSS inlined (`css-inline`) ->
minified. Why these two: the README's "Compiler and inliner" and benchmarks/RESULTS.md.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup, escape

from newsletter.errors import Problem, TemplateError
from newsletter.render.text import wrap
from newsletter.storage.cache import prune, read_bytes_entry, write_bytes_entry

PACKAGE_TEMPLATES = Path(__file__).parent / "templates"
MAIN_TEMPLATE = "email.mjml.j2"
TEXT_TEMPLATE = "email.txt.j2"
TEXT_WIDTH = 78
INLINE_MARKER = "/*nl:inline*/"


def template_env(workspace_templates: Path | None,
                 bytecode_dir: Path | None = None) -> jinja2.Environment:
    """Workspace templates override the packaged ones file by file. With `bytecode_dir`, compiled
    templates are kept there (Jinja checks each template's source before reusing them).

    The environment is kept for the process (a preview renders on every save) as long as the
    workspace's template files are the same ones; Jinja itself notices an edited file."""
    return _environment(_override_files(workspace_templates), workspace_templates, bytecode_dir)


def _override_files(folder: Path | None) -> tuple[tuple[str, int], ...]:
    """The workspace's template files with their mtimes: a file added, removed or replaced
    there must reach a new environment (a cached one would keep using the packaged file)."""
    if folder is None or not folder.is_dir():
        return ()
    return tuple(sorted((str(p), p.stat().st_mtime_ns) for p in folder.rglob("*") if p.is_file()))


@lru_cache(maxsize=8)
def _environment(overrides: tuple[tuple[str, int], ...], workspace_templates: Path | None,
                 bytecode_dir: Path | None) -> jinja2.Environment:
    loaders: list[jinja2.BaseLoader] = []
    if overrides and workspace_templates is not None:
        loaders.append(jinja2.FileSystemLoader(workspace_templates))
    loaders.append(jinja2.FileSystemLoader(PACKAGE_TEMPLATES))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=jinja2.select_autoescape(
            enabled_extensions=("mjml.j2", "html.j2", "xml.j2", "mjml", "html"), default=False),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        bytecode_cache=_bytecode_cache(bytecode_dir),
    )
    env.filters["wrap"] = wrap
    env.filters["mjattr"] = mjml_attribute
    return env


def mjml_attribute(value: object) -> Markup:
    """A value for an attribute of an MJML component (mj-image src/alt/href, ...), escaped
    once: MRML decodes an attribute's entities and escapes the value again when it writes the
    HTML (the pure-Python port wrote it back unescaped, which needed a second escape). Kept as
    a filter so a compiler change has one place to mend; the escaping tests hold it."""
    return Markup(escape(value))


class VerifiedBytecodeCache(jinja2.BytecodeCache):
    """Compiled templates as checksummed cache entries (storage.cache): a truncated or garbled
    file is discarded with a notice and the template compiled again; a write failure only costs
    time. (Jinja's own FileSystemBytecodeCache trusts whatever file it finds, and raises when
    it cannot write one.)"""

    SUFFIX = ".jinja"

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.notices: list[Problem] = []

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        data = read_bytes_entry(self.folder, bucket.key, self.SUFFIX, self.notices)
        if data is not None:
            bucket.bytecode_from_string(data)  # another Python or Jinja: reset, not raised

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        write_bytes_entry(self.folder, bucket.key, self.SUFFIX, bucket.bytecode_to_string())

    def clear(self) -> None:
        prune(self.folder, f"*{self.SUFFIX}", 0)


def _bytecode_cache(folder: Path | None) -> VerifiedBytecodeCache | None:
    if folder is None:
        return None
    prune(folder, "__jinja2_*.cache", 0)  # Jinja's own files, from before: never read again
    return VerifiedBytecodeCache(folder)


def cache_notices(env: jinja2.Environment) -> list[Problem]:
    """Notices of compiled templates that were discarded while rendering with `env`."""
    cache = env.bytecode_cache
    return list(cache.notices) if isinstance(cache, VerifiedBytecodeCache) else []


def render_template(env: jinja2.Environment, name: str, context: dict[str, Any]) -> str:
    try:
        return env.get_template(name).render(context)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"template {exc.name or name} line {exc.lineno}: {exc.message}") \
            from None
    except jinja2.UndefinedError as exc:
        raise TemplateError(f"template {name} (or a partial it includes): {exc.message}. "
                            "See the README's 'Templates' section for the names a template "
                            "can use") from None
    except jinja2.TemplateNotFound as exc:
        raise TemplateError(f"template {name} includes '{exc.name}', which exists neither in "
                            "the workspace's templates/ nor in the default theme") from None


# --- MJML, inlining, minification ------------------------------------------------------------


COLOR_SCHEME_META = ('<meta name="color-scheme" content="light dark">'
                     '<meta name="supported-color-schemes" content="light dark">')

# Every tag MJML defines. MRML drops an unknown tag without a word (mjml's port raised KeyError):
# checking the names keeps the error a misspelt or misplaced tag used to give.
MJML_TAGS = frozenset({
    "mjml", "mj-head", "mj-body", "mj-include", "mj-attributes", "mj-all", "mj-class",
    "mj-breakpoint", "mj-font", "mj-html-attributes", "mj-html-attribute", "mj-selector",
    "mj-preview", "mj-style", "mj-title", "mj-raw", "mj-accordion", "mj-accordion-element",
    "mj-accordion-title", "mj-accordion-text", "mj-button", "mj-carousel", "mj-carousel-image",
    "mj-column", "mj-divider", "mj-group", "mj-hero", "mj-image", "mj-navbar", "mj-navbar-link",
    "mj-section", "mj-social", "mj-social-element", "mj-spacer", "mj-table", "mj-text",
    "mj-wrapper",
})
_MJ_TAG = re.compile(r"<(mj(?:ml|-[a-z0-9-]+))\b", re.I)
_NOT_MARKUP = re.compile(r"<mj-raw\b.*?</mj-raw>|<!--.*?-->", re.S | re.I)

# MRML (6.0.1) drops white space between two tags when it holds a newline, so
# `<a>x</a>\n<a>y</a>` (markdown-it writes that for two links on consecutive lines) would read
# "xy". Inside the components whose content is HTML, such a gap becomes one space (what HTML
# renders anyway); <pre> and <textarea> are left alone.
_HTML_CONTENT = re.compile(
    r"(<(mj-text|mj-button|mj-table|mj-raw|mj-accordion-title|mj-accordion-text|mj-navbar-link|"
    r"mj-social-element)\b[^>]*(?<!/)>)(.*?)(</\2\s*>)", re.S | re.I)
_VERBATIM = re.compile(r"(<(?:pre|textarea)\b.*?</(?:pre|textarea)\s*>)", re.S | re.I)
_GAP = re.compile(r">[ \t\r\f]*\n\s*<")


def _keep_spaces(match: re.Match[str]) -> str:
    parts = _VERBATIM.split(match.group(3))  # odd items are <pre>/<textarea> blocks
    body = "".join(p if i % 2 else _GAP.sub("> <", p) for i, p in enumerate(parts))
    return match.group(1) + body + match.group(4)


def compile_mjml(source: str, template: str = MAIN_TEMPLATE) -> str:
    from mjml import mjml2html  # MRML: imports in about a millisecond

    for match in _MJ_TAG.finditer(_NOT_MARKUP.sub("", source)):
        tag = match.group(1).lower()
        if tag not in MJML_TAGS:
            raise TemplateError(
                f"template {template} (or a partial it includes) uses <{tag}>, which is not an "
                "MJML tag. Check its spelling and where it is placed (for example mj-class "
                "belongs inside mj-attributes)")
    try:
        html = mjml2html(_HTML_CONTENT.sub(_keep_spaces, source))
    except ValueError as exc:  # MRML's parse errors: "unexpected end of stream in root template"
        raise TemplateError(f"template {template} did not produce MJML: {exc}") from None
    # The dark-mode meta tags (MRML accepts mj-raw in mj-head; kept here to match the templates).
    return html.replace("<head>", "<head>" + COLOR_SCHEME_META, 1)


_HEAD_STYLE = re.compile(r"<style\b([^>]*)>(.*?)</style>", re.S | re.I)
_IGNORE = ' data-css-inline="ignore"'
_AT_RULES_SLOT = "<!--nl:at-rules-->"
# css-inline writes the at-rules it keeps into a new <style> (no attributes) as head's first child.
_KEPT_AT_RULES = re.compile(r"(<head\b[^>]*>)<style>(.*?)</style>", re.S | re.I)


def inline_css(document: str) -> str:
    """Inline the theme's own CSS; MJML's reset and client-hack styles stay in the head.

    The head's <style> blocks without the /*nl:inline*/ marker (MJML's reset, Outlook and
    column @media styles, the dark-mode block) are skipped by the inliner and kept verbatim. The
    marked CSS is inlined into every matching element (declarations already in a style
    attribute win, as they did with premailer); its at-rules (@media, with their !important) stay in a
    <style> where the marked block was. No width/height attributes, classes kept, no network."""
    import css_inline

    head_end = document.find("</head>")
    theme_css: list[str] = []

    def mark(match: re.Match[str]) -> str:
        attrs, css = match.group(1), match.group(2)
        if INLINE_MARKER in css:
            theme_css.append(css.replace(INLINE_MARKER, ""))
            return _AT_RULES_SLOT if len(theme_css) == 1 else ""
        if "data-css-inline" in attrs:
            return match.group(0)
        return f"<style{_IGNORE}{attrs}>{css}</style>"

    head = _HEAD_STYLE.sub(mark, document[:head_end])
    inliner = css_inline.CSSInliner(
        inline_style_tags=True,    # (False + keep_at_rules: css-inline 0.24 skips extra_css)
        keep_style_tags=True,      # else the ignored blocks are dropped, not kept
        keep_link_tags=True,       # mj-font's stylesheet link
        keep_at_rules=True,        # the marked CSS's @media rules
        load_remote_stylesheets=False,
        minify_css=True,
        extra_css="\n".join(theme_css) or None,
    )
    try:
        result = inliner.inline(head + document[head_end:])
    except ValueError as exc:  # css_inline.InlineError: CSS it cannot parse
        raise TemplateError(f"the theme's CSS could not be inlined: {exc}") from None
    at_rules = ""
    kept = _KEPT_AT_RULES.search(result)
    if kept and theme_css:
        at_rules = f'<style type="text/css">{kept.group(2).strip()}</style>'
        result = result[:kept.end(1)] + result[kept.end():]
    result = result.replace(_AT_RULES_SLOT, at_rules, 1).replace(_IGNORE, "")
    if result.startswith("<!DOCTYPE html>"):  # html5ever's spelling; MJML's (and the tests') is lower
        result = "<!doctype html>" + result[len("<!DOCTYPE html>"):]
    elif not result.lstrip()[:9].lower().startswith("<!doctype"):
        result = "<!doctype html>\n" + result
    return result


_TOKEN = re.compile(r"<!--.*?-->|<(style|script|pre|textarea)\b.*?</\1\s*>|<[^>]+>|[^<]+",
                    re.S | re.I)
_BLOCK_TAG = re.compile(
    r"</?(?:html|head|body|title|meta|link|style|table|tbody|thead|tfoot|tr|td|th|div|p|h[1-6]|"
    r"ul|ol|li|blockquote|center|br|hr|!doctype)\b", re.I)


HTML_SPACE = " \t\n\r\f"  # what HTML collapses (Python's \s would take U+00A0 too)
_SPACE = re.compile(f"[{HTML_SPACE}]+")


def minify(document: str) -> str:
    """Email-safe minification: collapse white space, drop plain comments.

    Keeps conditional comments (Outlook), our placeholder markers, every closing tag and the head.
    White space next to block-level tags is dropped; elsewhere it shrinks to one space.
    """
    tokens = [m.group(0) for m in _TOKEN.finditer(document)]
    out: list[str] = []
    for i, token in enumerate(tokens):
        if token.startswith("<!--"):
            if token.startswith(("<!--[if", "<!--<![endif]", "<!--nl:", "<!--/nl:")):
                out.append(re.sub(r">\s+<", "><", re.sub(r"\s+", " ", token)))
            continue
        if token.startswith("<"):
            out.append(_minify_tag(token))
            continue
        text = _SPACE.sub(" ", token)  # HTML white space only: a no-break space stays
        if i == 0 or _is_block(tokens[i - 1]):
            text = text.lstrip(HTML_SPACE)
        if i + 1 == len(tokens) or _is_block(tokens[i + 1]):
            text = text.rstrip(HTML_SPACE)
        if text:
            out.append(text)
    return "".join(out)


def _is_block(token: str) -> bool:
    return token.startswith("<!--[if") or token.startswith("<![endif]") or bool(
        _BLOCK_TAG.match(token))


def _minify_tag(token: str) -> str:
    if token[:6].lower() == "<style":
        open_end = token.index(">") + 1
        css = token[open_end:-len("</style>")]
        css = re.sub(r"\s+", " ", css)
        css = re.sub(r"\s*([{};,])\s*", r"\1", css).replace(";}", "}")
        return _tag_spaces(token[:open_end]) + css.strip() + "</style>"
    return _tag_spaces(token)


def _tag_spaces(tag: str) -> str:
    """One space between a tag's attributes, none before its > or />."""
    return re.sub(r"\s+", " ", tag).replace(" >", ">").replace(" />", "/>")
