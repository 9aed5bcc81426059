"""Pages of the enforcement steps (IT-9, LV-12), suspensions (LV-12) and patron restrictions
(CC-3, CC-11), by feature: :mod:`.cases`, :mod:`.holds` (locks and suspensions) and
:mod:`.restrictions`.  Every write goes through :mod:`bookwarden.enforcement.actions`."""
