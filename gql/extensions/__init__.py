"""Strawberry schema extensions: what runs around parsing, validation and execution
(document limits, the validation cache, production validation messages, persisted queries,
one database connection per operation) and the wrapping of extension hooks.
"""
