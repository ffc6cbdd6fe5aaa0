"""A hubtraf-style load simulator: N teachers against a running hub on loopback (issue 9).

- ``simulator``: one scripted teacher (log in, start a server, open the workbench, write records through
  the records API, read progress, stop, log out) and ``run_load`` that ramps N of them, bounded in time.
- ``stats``: latencies per phase (p50/p95/max), errors by kind, the report against the issue's anchors.
- ``memory``: memory (PSS) of the hub, proxy, services, user servers and kernels while the run goes on.
- ``demo_teachers``: extra demo teachers (with mentees) written through the store for runs above 24.
- ``run``: the benchmark command, ``python -m benchmarks.load.run --teachers 100``.
"""
