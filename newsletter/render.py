"""Rendering: Jinja2 -> MJML -> HTML (mjml-python) -> CSS inlined (premailer) -> minified; text.

The result keeps the neutral placeholders of `placeholders.py`; `build` and the exporters fill them.
"""

from __future__ import annotations

import hashlib
import html as htmllib
import importlib.util
import logging
import os
import re
import textwrap
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import jinja2
from markupsafe import Markup

from newsletter import __version__, markdown
from newsletter.config import Config
from newsletter.errors import Problem, TemplateError
from newsletter.fsutil import atomic_write
from newsletter.placeholders import TOKENS
from newsletter.select import format_date
from newsletter.themes import Entry, Plan

PACKAGE_TEMPLATES = Path(__file__).parent / "templates"
MAIN_TEMPLATE = "email.mjml.j2"
TEXT_TEMPLATE = "email.txt.j2"
TEXT_WIDTH = 78
INLINE_MARKER = "/*nl:inline*/"


@dataclass(frozen=True)
class Card:
    id: str
    title: str
    teaser: str
    url: str
    date: str
    study_type: str | None
    source: str | None
    source_url: str | None
    theme_label: str
    image: str | None
    image_alt: str | None


@dataclass(frozen=True)
class SectionView:
    id: str
    label: str
    colour: str
    cards: list[Card]
    more: int
    more_url: str | None


@dataclass
class RenderedEmail:
    mjml: str
    html: str
    text: str
    timings: dict[str, float] = field(default_factory=dict)
    html_cached: bool = False


# --- context --------------------------------------------------------------------------------


def add_utm(url: str, params: dict[str, str]) -> str:
    """Add (or replace) utm_* parameters, keeping the URL's other query parameters and fragment."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in params]
    query += list(params.items())
    return urlunsplit(parts._replace(query=urlencode(query)))


def utm_params(config: Config, issue_id: str) -> dict[str, str]:
    return {
        "utm_source": config.utm.source,
        "utm_medium": config.utm.medium,
        "utm_campaign": config.utm.campaign.replace("{issue}", issue_id),
    }


def _card(entry: Entry, config: Config, utm: dict[str, str]) -> Card:
    s = entry.summary
    return Card(
        id=s.id, title=s.title, teaser=s.teaser, url=add_utm(s.url, utm),
        date=format_date(s.date), study_type=entry.study_type_label, source=s.source,
        source_url=s.source_url, theme_label=config.theme(entry.theme.label or "").label
        if entry.theme.label in config.theme_ids else "",
        image=s.image, image_alt=s.image_alt,
    )


def email_context(config: Config, plan: Plan) -> dict[str, Any]:
    """Everything the templates see (documented in the README's 'Templates' section)."""
    utm = utm_params(config, plan.issue.id)
    sections = [
        SectionView(
            id=s.theme.id, label=s.theme.label, colour=s.theme.colour,
            cards=[_card(e, config, utm) for e in s.entries], more=s.more,
            more_url=add_utm(s.more_url, utm) if s.more_url else None,
        )
        for s in plan.sections
    ]
    return {
        "config": config,
        "colors": config.colors,
        "lang": config.language,
        "name": config.name,
        "issue": plan.issue,
        "subject": plan.subject,
        "preheader": plan.preheader,
        "period": plan.issue.period,
        "intro_html": Markup(markdown.render(plan.issue.intro)) if plan.issue.intro else "",
        "intro_text": markdown_to_text(plan.issue.intro),
        "highlights": [_card(e, config, utm) for e in plan.highlights],
        "sections": sections,
        "disclaimer": config.disclaimer.text,
        "placeholders": TOKENS,
        "count": plan.count,
    }


# --- templates ------------------------------------------------------------------------------


def template_env(workspace_templates: Path | None,
                 bytecode_dir: Path | None = None) -> jinja2.Environment:
    """Workspace templates override the packaged ones file by file. With `bytecode_dir`, compiled
    templates are kept there (Jinja checks each template's source before reusing them)."""
    loaders: list[jinja2.BaseLoader] = []
    if workspace_templates is not None and workspace_templates.is_dir():
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
    return env


def _bytecode_cache(folder: Path | None) -> jinja2.BytecodeCache | None:
    if folder is None:
        return None
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return jinja2.FileSystemBytecodeCache(str(folder))


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


def compile_mjml(source: str, template: str = MAIN_TEMPLATE) -> str:
    from mjml import mjml_to_html  # imported here: it is the heaviest import of all

    try:
        result = mjml_to_html(source)
    except KeyError as exc:
        tag = exc.args[0] if exc.args else "?"
        raise TemplateError(
            f"template {template} (or a partial it includes) uses <{tag}>, which is not an "
            "MJML tag mjml-python knows. Check its spelling and where it is placed (for example "
            "mj-class belongs inside mj-attributes)") from None
    except ValueError as exc:
        raise TemplateError(f"template {template} did not produce MJML: {exc}") from None
    # mjml-python has no mj-raw in the head: the dark-mode meta tags go in here.
    return result.html.replace("<head>", "<head>" + COLOR_SCHEME_META, 1)


_HEAD_STYLE = re.compile(r"<style\b([^>]*)>(.*?)</style>", re.S | re.I)


def inline_css(document: str) -> str:
    """Inline the theme's own CSS; MJML's reset and client-hack styles stay in the head."""
    from premailer import Premailer

    head_end = document.find("</head>")
    head = _HEAD_STYLE.sub(_mark_ignored, document[:head_end])
    premailer = Premailer(
        head + document[head_end:],
        strip_important=False,
        keep_style_tags=False,
        remove_classes=False,
        disable_validation=True,
        allow_network=False,
        disable_basic_attributes=["width", "height", "align", "bgcolor", "valign", "background"],
        cssutils_logging_level=logging.CRITICAL,
    )
    logging.getLogger("CSSUTILS").setLevel(logging.CRITICAL)
    result = premailer.transform(pretty_print=False)
    result = result.replace(' data-premailer="ignore"', "").replace(INLINE_MARKER, "")
    if not result.lstrip()[:9].lower().startswith("<!doctype"):
        result = "<!doctype html>\n" + result  # premailer drops MJML's doctype: no quirks mode
    return result


def _mark_ignored(match: re.Match[str]) -> str:
    attrs, css = match.group(1), match.group(2)
    if INLINE_MARKER in css or "data-premailer" in attrs:
        return match.group(0)
    return f'<style data-premailer="ignore"{attrs}>{css}</style>'


_TOKEN = re.compile(r"<!--.*?-->|<(style|script|pre|textarea)\b.*?</\1\s*>|<[^>]+>|[^<]+",
                    re.S | re.I)
_BLOCK_TAG = re.compile(
    r"</?(?:html|head|body|title|meta|link|style|table|tbody|thead|tfoot|tr|td|th|div|p|h[1-6]|"
    r"ul|ol|li|blockquote|center|br|hr|!doctype)\b", re.I)


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
        text = re.sub(r"\s+", " ", token)
        if i == 0 or _is_block(tokens[i - 1]):
            text = text.lstrip()
        if i + 1 == len(tokens) or _is_block(tokens[i + 1]):
            text = text.rstrip()
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
        return re.sub(r"\s+", " ", token[:open_end]) + css.strip() + "</style>"
    return re.sub(r"\s+", " ", token).replace(" >", ">").replace(" />", "/>")


# --- plain text -----------------------------------------------------------------------------


def wrap(text: str, width: int = TEXT_WIDTH, indent: str = "") -> str:
    """Wrap at `width`; URLs and other long words are never broken."""
    return textwrap.fill(text, width=width, initial_indent=indent, subsequent_indent=indent,
                         break_long_words=False, break_on_hyphens=False)


_LIST_ITEM = re.compile(r"\s*(?:[-*+]|\d+[.)])\s+")


def markdown_to_text(source: str, width: int = TEXT_WIDTH) -> str:
    """Markdown to readable plain text: paragraphs and list items wrapped, links spelled out."""
    if not source.strip():
        return ""
    text = re.sub(r"\[([^\]]+)\]\(([^)\s]+)\)", r"\1 (\2)", source)
    text = re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)
    text = re.sub(r"(?<![\w*])[*_](\S.*?)[*_](?![\w*])", r"\1", text)
    blocks = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = block.split("\n")
        if all(_LIST_ITEM.match(line) or line.startswith("  ") for line in lines):
            items: list[str] = []
            for line in lines:
                if _LIST_ITEM.match(line):
                    items.append(_LIST_ITEM.sub("", line, count=1))
                else:
                    items[-1] += " " + line.strip()
            blocks.append("\n".join(textwrap.fill(
                item, width=width, initial_indent="  - ", subsequent_indent="    ",
                break_long_words=False, break_on_hyphens=False) for item in items))
        else:
            blocks.append(wrap(" ".join(line.strip() for line in lines), width))
    return "\n\n".join(blocks)


def _tidy_text(text: str) -> str:
    text = re.sub(r"[ \t]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


# --- the whole stage ------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _toolchain_stamp() -> str:
    """What, besides the MJML text, decides the compiled HTML: this module's code and the
    installed compiler and inliner (found without importing them)."""
    parts = [__version__, hashlib.sha256(Path(__file__).read_bytes()).hexdigest()]
    for name in ("mjml", "premailer", "cssutils", "lxml", "bs4"):
        spec = importlib.util.find_spec(name)
        origin = spec.origin if spec and spec.origin else ""
        try:
            stat = os.stat(origin)
            parts.append(f"{name}:{stat.st_size}:{stat.st_mtime_ns}")
        except OSError:
            parts.append(f"{name}:?")
    return "\x1f".join(parts)


HTML_CACHE_ENTRIES = 64


def preload() -> None:
    """Import and warm up the compiler and the inliner (a long-running preview calls this at
    start, so the first save does not pay for them)."""
    minify(inline_css(compile_mjml(
        "<mjml><mj-head><mj-style>/*nl:inline*/ p{margin:0}</mj-style></mj-head><mj-body>"
        "<mj-section><mj-column><mj-text><p>warm-up</p></mj-text></mj-column></mj-section>"
        "</mj-body></mjml>")))


def compiled_html(mjml_source: str, cache_dir: Path | None) -> tuple[str, bool]:
    """MJML -> compiled, inlined, minified HTML; (html, True) when it came from the cache.

    The result depends only on the MJML text and the toolchain, so it is kept by their hash:
    rebuilding an unchanged issue (export, check, archive, a second build) skips the compiler
    and the inliner, and their imports."""
    key = hashlib.sha256((_toolchain_stamp() + "\x1e" + mjml_source).encode()).hexdigest()
    path = cache_dir / f"{key}.html" if cache_dir is not None else None
    if path is not None:
        try:
            return path.read_text(encoding="utf-8"), True
        except (OSError, UnicodeDecodeError):
            pass
    html = minify(inline_css(compile_mjml(mjml_source)))
    if path is not None and cache_dir is not None:
        try:
            atomic_write(path, html)
            _prune(cache_dir)
        except OSError:
            pass  # a cache that cannot be written only costs time
    return html, False


def _prune(folder: Path) -> None:
    entries = sorted(folder.glob("*.html"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
    for old in entries[HTML_CACHE_ENTRIES:]:
        old.unlink(missing_ok=True)


def render_email(config: Config, plan: Plan, workspace_templates: Path | None,
                 cache_dir: Path | None = None) -> RenderedEmail:
    """Render the plan; times each step (the benchmark and the preview report them)."""
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[name] = now - clock
        clock = now

    env = template_env(workspace_templates, cache_dir / "jinja" if cache_dir else None)
    context = email_context(config, plan)
    mjml_source = render_template(env, MAIN_TEMPLATE, context)
    lap("render_mjml")
    inlined, cached = compiled_html(mjml_source, cache_dir)
    lap("compile_inline")
    text = _tidy_text(render_template(env, TEXT_TEMPLATE, context))
    lap("text")
    check_disclaimer(config, inlined, text)
    return RenderedEmail(mjml_source, inlined, text, timings, html_cached=cached)


def visible_text(document: str) -> str:
    """The text of an HTML document, white space collapsed (head and comments left out)."""
    body = document[document.find("<body"):] if "<body" in document else document
    body = re.sub(r"<!--.*?-->|<style\b.*?</style>", " ", body, flags=re.S | re.I)
    return re.sub(r"\s+", " ", htmllib.unescape(re.sub(r"<[^>]+>", " ", body)))


def check_disclaimer(config: Config, document: str, text: str) -> None:
    """A workspace may reword the disclaimer but not remove it from either part."""
    wanted = re.sub(r"\s+", " ", config.disclaimer.text).strip()
    missing = []
    if wanted not in visible_text(document):
        missing.append("the HTML")
    if wanted not in re.sub(r"\s+", " ", text):
        missing.append("the plain text")
    if missing:
        raise TemplateError(
            f"the disclaimer is missing from {' and '.join(missing)}",
            [Problem("templates", "the [disclaimer] text must appear in every issue",
                     fix="keep {% include \"partials/disclaimer.mjml.j2\" %} in email.mjml.j2 "
                         "and the disclaimer block in email.txt.j2; change the wording in "
                         "newsletter.toml [disclaimer] text instead")],
        )
