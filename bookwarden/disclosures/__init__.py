"""Requests for library records and the law that decides them (NM-1, NM-2, CR-1, CR-5a, CC-5)."""
