"""Graded mentor-training courses (nbgrader): catalog, trainer pipeline, CLI and hub wiring.

Modules:
- ``catalog``: course metadata (``courses/<id>/course.yaml``), validated against ``course.schema.json``.
- ``nbconfig``: the nbgrader configuration for a course and for teachers' servers.
- ``feedback``: the preprocessor that keeps hidden tests out of feedback.
- ``pipeline``: the trainer's routine around ``NbGraderAPI``; ``parallel`` runs autograde in worker processes.
- ``export``: grades and credit hours per teacher, to .csv/.xlsx.
- ``hubconfig``: pure functions the hub configuration calls (services, roles, groups, environment).
- ``command``: ``mentorhub course ...``.
"""
