"""`newsletter export` and `send-test`: the run (run), SMTP (smtp) and one module per mailing
service (services/)."""
