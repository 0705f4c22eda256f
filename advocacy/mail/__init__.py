"""Outbound mail: templates, the outbox table and the sending worker."""
