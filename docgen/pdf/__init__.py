"""PDF: LibreOffice conversion, normalisation for reproducible bytes, member packages, verification."""
