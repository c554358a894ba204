"""``crm-xl vba -o FILE.bas``: write the VBA module that declares the ``CRM_*`` functions."""

from __future__ import annotations

import argparse

from crm_xl.errors import CrmError


def run(args: argparse.Namespace) -> int:
    from crm_xl.excel.vba import write_udf_vba

    if args.output.suffix.lower() != ".bas":
        raise CrmError("the VBA module file must end in .bas", str(args.output))
    path = write_udf_vba(args.output, workbook_name=args.workbook)
    print(
        f"wrote {path}: import it in the VBA editor (File > Import File), then run CrmXlRegisterFunctions once"
    )
    return 0
