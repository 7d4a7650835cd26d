"""The scoring engine: pure Python, no Django (DESIGN §3). The standard library only,
except the bulk paths (:mod:`~parindex.engine.columnar` on Polars; dossiers, surveys in bulk,
the calendar and rank bands on numpy), each imported only where bulk work needs it.

Public API (plain data in, plain data out):

- :func:`parindex.engine.framework.validate_framework` ``(fw) -> list[FrameworkIssue]``
- :func:`parindex.engine.rules.points_for` ``(rule, max_points, value) -> Decimal``
  (raises :class:`~parindex.engine.rules.RuleInputError`; the rule types and their
  parameters are documented in :mod:`parindex.engine.rules`)
- :func:`parindex.engine.aggregate.compile_framework` ``(fw) -> CompiledFramework`` and
  :func:`parindex.engine.aggregate.aggregate` ``(fw_or_compiled, {code: Decimal | NA})
  -> UnitScore`` for one unit (every node's points, applicable max, component index)
- :func:`parindex.engine.compute.compute` ``(framework, scores, units=None, metrics=None,
  rating=None, previous=None) -> list[UnitResult]`` for many units
- :func:`parindex.engine.ranking.rank` / :func:`~parindex.engine.ranking.rank_within`
- :func:`parindex.engine.rating.rate` ``(index, metrics, scheme) -> Rating``
- :func:`parindex.engine.compare.describe_rank_change` ``(n) -> "tăng 14 bậc"``
"""
