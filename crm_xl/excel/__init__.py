"""The ``CRM_*`` worksheet functions: one registry, their implementations, and the bindings
(xlwings declarations, the VBA export).
"""
