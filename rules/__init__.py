"""The built-in rule families, installed as ``corpuslint.rules``.

This directory is mapped to the package ``corpuslint.rules`` (setuptools
``package-dir``); it must never be imported as a top-level ``rules`` package
(that would happen when the repository root is on ``sys.path``), so it refuses.
"""

if __name__ != "corpuslint.rules":
    raise ImportError(
        f"the rule families must be imported as 'corpuslint.rules', not {__name__!r}; "
        "install corpuslint (pip install -e .) instead of importing from the source tree"
    )
