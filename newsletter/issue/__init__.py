"""One issue: its file (spec), dates, the selection (select), the classifier (classify), the
plan of sections and cards (plan), how the plan is shown (show) and new issue files (new)."""
