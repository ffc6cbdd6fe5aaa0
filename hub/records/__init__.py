"""The records service: the one door to mentor and student data (hub-managed JupyterHub service).

Run by the hub as ``python -m hub.records``; see ``hub.records.__main__`` for its environment and
``hub.records.app.ROUTES`` for the API under ``<prefix>api/v1/``.
"""
