"""The scoring engine: pure Python, standard library only, no Django (DESIGN §3).

Public entry points: :func:`parindex.engine.framework.validate_framework`,
:func:`parindex.engine.rules.points_for`, :func:`parindex.engine.aggregate.aggregate`,
:func:`parindex.engine.ranking.rank`, :func:`parindex.engine.rating.rate`,
:func:`parindex.engine.compute.compute`.
"""
