"""Reads across every type: any node by its ID (`Query.node`), who is asking
(`Query.viewer`), the sync feed (`Query.changes`) and the bulk export, with the public view
of a node they share.
"""
