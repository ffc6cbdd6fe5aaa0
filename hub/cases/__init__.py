"""Case studies: the de-identified case library, de-identification drafts, the discussion room
model and the research dashboards (issue 7). Pure Python; widgets live in ``widgets/``."""
