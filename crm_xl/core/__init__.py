"""Pure scoring: KPIs, normalisation, weighted and multi-dimensional scores, tiers, RFM,
formal weights, scorecards and rating a table. Imports nothing of crm_xl but :mod:`crm_xl.errors`.
"""
