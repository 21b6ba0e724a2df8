"""Rendering a plan: template context, Jinja2 -> MJML -> HTML -> inlined -> minified (html), the
plain text (text), Markdown, placeholders, the compiled-HTML cache and the disclaimer guard.

`email.render_email` is the stage as a whole. This package imports nothing at load time, so
`newsletter.render.markdown` stays cheap for the summaries that use it."""
