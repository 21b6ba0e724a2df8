"""Jinja2 -> MJML -> HTML (compiler) -> CSS inlined -> minified.
"""

from __future__ import annotations

import html
import logging
import re
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
    env.filters["mjattr"] = mjml_attribute
    return env


def mjml_attribute(value: object) -> Markup:
    """A value for an attribute of an MJML component (mj-image src/alt/href, ...), escaped
    twice: mjml-python decodes an attribute's entities once and writes the value back without
    escaping it, so a quote would end the attribute in the HTML. Inside mj-text (plain HTML,
    passed through as written) the ordinary escaping is right."""
    return Markup(escape(str(escape(value))))


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
    return _title_label(result.html.replace("<head>", "<head>" + COLOR_SCHEME_META, 1), source)


_MJ_TITLE = re.compile(r"<mj-title>(.*?)</mj-title>", re.S)


def _title_label(document: str, source: str) -> str:
    """mjml-python copies mj-title into an aria-label attribute escaped without its quotes (a
    subject with `"` would end the attribute): write that attribute escaped in full."""
    found = _MJ_TITLE.search(source)
    if found is None:
        return document
    title = html.unescape(found.group(1)).strip()
    written = f'aria-label="{html.escape(title, quote=False)}"'
    if '"' not in title and "'" not in title:
        return document
    if written not in document:
        raise TemplateError("the MJML compiler wrote the title's aria-label in a way this "
                            "version does not know; the subject cannot be checked, so it is "
                            "refused: remove its quotes, or report this")
    return document.replace(written, f'aria-label="{html.escape(title, quote=True)}"')


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
        return re.sub(r"\s+", " ", token[:open_end]) + css.strip() + "</style>"
    return re.sub(r"\s+", " ", token).replace(" >", ">").replace(" />", "/>")
