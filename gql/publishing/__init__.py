"""What a write announces: the audit log, the change log static-site builds read, and
webhook deliveries.
"""
