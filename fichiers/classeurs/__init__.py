"""Excel workbooks of the tableaux des engagements, laid out like the convention's annex.

``export`` writes them (streaming, openpyxl ``write_only``); ``lecture`` reads one back into
natural keys, with a French message naming sheet, row and column for each problem; ``chargement``
writes what was read, atomically.
"""
