"""`newsletter import`: the run (run), one record made canonical (records), reconciling with
the summaries on disk and writing (reconcile), the report (report), HTML to Markdown/text
(htmltext) and one reader per format (readers/)."""
