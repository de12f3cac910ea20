"""The Ray engine: the same check as the local runner, on a Ray cluster.

``corpuslint check --engine ray [--ray-address ADDR]`` (or ``engine = "ray"``).
Importing this package does not import Ray; ``corpuslint.ray_engine.runner.RayRunner``
connects when it first runs. See ``docs/scaling.md`` for the stages:

* ``plan``: the run's files (targets, then the other corpus files) in shards;
* ``worker``: the task bodies (per-document check and summaries per shard, the
  shuffle's reduce side, exact verification of candidate pairs, union-find merges,
  resolving findings), which reuse the local runner's and the rules' functions;
* ``stages``: the numpy pieces of the shuffle (partitioning, grouping, forests);
* ``findings``: DUP001, DUP002 and FMT002 findings from the grouped data;
* ``fallback``: corpus rules without a distributed stage, through a temporary index;
* ``runner``: ``RayRunner``, which drives the stages and returns a ``RunOutcome``.
"""
