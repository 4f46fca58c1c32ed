"""factcheck: find where news outlets disagree about one story."""

__version__ = "0.1.0"
