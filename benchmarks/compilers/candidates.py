"""The four compile + inline combinations measured by `make bench-compilers`.

Compilers: PyPI `mjml` (a pure-Python port of MJML, `mjml.mjml_to_html`; "py") and PyPI
`mjml-python` (bindings to MRML, the Rust port, `mjml.mjml2html`; "mrml"). Both install a module
called `mjml`, so a venv holds one of them: each venv runs two combinations. Inliners: premailer
and css-inline. "mrml" and "cssinline" are the project's own code (newsletter.render.html);
"py" and "premailer" are the code the project used before (kept here, unchanged, to measure
against). Every combination ends with the project's minify().
"""

from __future__ import annotations

import logging
import re

import mjml as _mjml_module

from newsletter.errors import TemplateError
from newsletter.render import html as project

COMPILER = "py" if hasattr(_mjml_module, "mjml_to_html") else "mrml"
_HEAD_STYLE = re.compile(r"<style\b([^>]*)>(.*?)</style>", re.S | re.I)


def compile_py(source: str) -> str:
    """The pure-Python port, as newsletter used it before."""
    from mjml import mjml_to_html

    try:
        result = mjml_to_html(source)
    except KeyError as exc:
        raise TemplateError(f"unknown MJML tag <{exc.args[0] if exc.args else '?'}>") from None
    return result.html.replace("<head>", "<head>" + project.COLOR_SCHEME_META, 1)


def inline_premailer(document: str) -> str:
    """premailer, as newsletter used it before: MJML's head blocks ignored, the marked CSS
    inlined, @media kept with !important, no width/height attributes, no network."""
    from premailer import Premailer

    def mark(match: re.Match[str]) -> str:
        attrs, css = match.group(1), match.group(2)
        if project.INLINE_MARKER in css or "data-premailer" in attrs:
            return match.group(0)
        return f'<style data-premailer="ignore"{attrs}>{css}</style>'

    head_end = document.find("</head>")
    premailer = Premailer(
        _HEAD_STYLE.sub(mark, document[:head_end]) + document[head_end:],
        strip_important=False, keep_style_tags=False, remove_classes=False,
        disable_validation=True, allow_network=False,
        disable_basic_attributes=["width", "height", "align", "bgcolor", "valign", "background"],
        cssutils_logging_level=logging.CRITICAL)
    logging.getLogger("CSSUTILS").setLevel(logging.CRITICAL)
    result = premailer.transform(pretty_print=False)
    result = result.replace(' data-premailer="ignore"', "").replace(project.INLINE_MARKER, "")
    if not result.lstrip()[:9].lower().startswith("<!doctype"):
        result = "<!doctype html>\n" + result
    return result


COMPILE = {"py": compile_py, "mrml": project.compile_mjml}[COMPILER]
INLINE = {"premailer": inline_premailer, "cssinline": project.inline_css}
COMBOS = [f"{COMPILER}+{name}" for name in INLINE]
IMPORTS = {"py": "import mjml; from mjml import mjml_to_html", "mrml": "import mjml",
           "premailer": "from premailer import Premailer", "cssinline": "import css_inline"}


def pipeline(combo: str, source: str) -> str:
    compiler, inliner = combo.split("+")
    if compiler != COMPILER:
        raise ValueError(f"{combo} needs the other venv (this one has the {COMPILER} compiler)")
    return project.minify(INLINE[inliner](COMPILE(source)))
