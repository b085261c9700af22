"""Lawful measures (依法防控): restrictive health measures that cannot start without their basis."""
