"""Printed forms: a layout builds a Document once; the PDF and Excel writers only lay it out."""
