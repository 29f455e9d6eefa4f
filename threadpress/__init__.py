"""Threadpress: command line, WordPress import, demo content and content helpers."""
