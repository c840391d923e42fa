"""The documents of billing: UBL (Peppol BIS 3), PDF (WeasyPrint) and FOCUS CSV renderings."""
