"""The scoring engine: pure Python, no Django import (a test enforces it).

Plain data in, plain data out: framework trees, scoring rules, aggregation, ranking, rating
classes and year-on-year change. Django apps load data, call the engine and store results.
"""
