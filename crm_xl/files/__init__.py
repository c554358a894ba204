"""Local files and untrusted input: atomic writes, Excel's lock file, archive limits (zip
bombs), customer tables in and out, the files shipped in the package.
"""
