"""`newsletter preview`, the editorial desk: the server (server: uvicorn, the watcher and live
reload; routes: the Starlette app and its Host/Origin/token guard; hooks: what it agrees on with
the pipeline side, of which it knows nothing), the desk (desk: builds, state and actions; state:
the JSON the page shows; history: undo/redo; publish: send test and export), the builder
callback and `serve` (builder), and the page (app.html, static/: plain JS modules and CSS)."""
