"""One module per ``crm-xl`` command, each owning its orchestration; :mod:`crm_xl.cli`
only parses the command line.
"""
