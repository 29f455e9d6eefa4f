"""What a write announces: the audit log, the change log static-site builds read, webhook
deliveries, cache invalidation and live events. A write states what changed once
(`effects`), each published type is one declaration (`kinds`), and the shared writes of
slugged entities live in `slugged_writes`.
"""
