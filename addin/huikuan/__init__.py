"""huikuan (回款): collection targets, gaps, measures and follow-ups in Excel workbooks."""

__version__ = "0.1.0"
