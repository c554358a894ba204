"""The report templates (jinja2), installed as ``crm_xl.templates``."""
