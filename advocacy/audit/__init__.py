"""Audit log: who changed or exported what, when, on which campaign."""
