"""`newsletter preview`: the HTTP server (server, knows nothing of the pipeline), the builder
callback that runs the pipeline (builder), and the page (app.html)."""
