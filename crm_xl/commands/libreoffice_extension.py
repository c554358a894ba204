"""``crm-xl libreoffice-extension -o crm_xl.oxt``: write the LibreOffice extension."""

from __future__ import annotations

import argparse

from crm_xl.errors import CrmError


def run(args: argparse.Namespace) -> int:
    from crm_xl.excel.libreoffice_extension import write_extension

    if args.output.suffix.lower() != ".oxt":
        raise CrmError("the LibreOffice extension file must end in .oxt", str(args.output))
    config = write_extension(
        args.output, python_paths=args.python_path or None, python_version=args.python_version
    )
    print(f"wrote {args.output}: LibreOffice's Python (version {config['python']}) finds crm_xl in")
    for path in config["paths"]:
        print(f"  {path}")
    print(
        "install it with Tools > Extension Manager > Add (or: unopkg add "
        f"{args.output}), then restart LibreOffice"
    )
    return 0
