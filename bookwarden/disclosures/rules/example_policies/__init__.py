"""Example library policies in the policy format (docs/disclosures.md); copy one to
``<BOOKWARDEN_POLICY_DIR>/<slug>.yaml`` to use it."""
