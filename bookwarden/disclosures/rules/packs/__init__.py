"""The shipped rule packs, one YAML file per jurisdiction (``US-MO.yaml``...).  A package so
that the YAML files ship with the wheel; see docs/disclosures.md for the format."""
