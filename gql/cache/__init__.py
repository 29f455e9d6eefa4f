"""The response cache: its store (memory or Redis), the dependencies a response records,
invalidation (our own writes and other processes'), and the read replica's positions.
"""
