"""The level-by-level executor and what it needs: kept plans, the variables a plan reads,
graphql-core fixes, and `internals`, the one home of the GraphQL libraries' private names.

Domain types import the engine to declare their plans; the engine imports no domain.
"""
