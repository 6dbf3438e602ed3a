"""Alembic migrations of the card/feedback store (run at start-up by :mod:`..migrate`)."""
