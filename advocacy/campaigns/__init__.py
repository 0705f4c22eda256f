"""Campaigns: the model, its lifecycle (draft -> open -> closed -> delivered -> archived) and the seed."""
