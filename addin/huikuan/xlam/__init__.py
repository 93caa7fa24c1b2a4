"""The Excel add-in huikuan.xlam, built from source on any system, and its installation.

ribbon.py: the 回款 tab (customUI14 XML) · vba.py: the VBA modules (ribbon callbacks,
cell-function wrappers, the xlwings module) · build.py: the package · install.py:
Excel's add-in folder and the add-in's xlwings configuration · commands.py: `huikuan addin`.
"""
