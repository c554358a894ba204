"""The OOXML package (.xlsx/.xlsm) read and edited in place, part by part; it knows nothing
of CRM: cell references, namespaces, XML safety, parts and relationships, sheets, names,
cell writes and cached values.
"""
