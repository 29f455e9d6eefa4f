"""Threadpress's GraphQL layer and its ASGI app."""
