"""parindex: PAR INDEX and SIPAS scorecards for Vietnamese provinces."""

__version__ = "0.1.0"
