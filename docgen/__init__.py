"""docgen: a Swedish kommunalförbund's decision documents from YAML.

The package tree is the pipeline, each stage importing only the ones before it:

- :mod:`docgen.model`: the case (association, members, meeting), the legal
  calendar, the allocation of a guarantee, Swedish formatting and the
  att-clause language. The centre: it knows nothing of files or tools.
- :mod:`docgen.input`: YAML with line numbers, validation into the model,
  the JSON Schemas.
- :mod:`docgen.documents`: the plan of documents (who gets what), the
  templates' contexts, Markdown as Word content, filling the Word templates.
- :mod:`docgen.pdf`: LibreOffice (DOCX to PDF/A), normalising PDFs, member
  packages merged with pikepdf, verification.
- :mod:`docgen.pipeline`: the pipeline that runs the stages, the PDF cache, the
  manifest and the no-change fingerprint.

:mod:`docgen.cli` is a thin click layer over :func:`docgen.pipeline.run.build`.
"""

from importlib.metadata import version

__version__ = version("docgen")
"""pyproject.toml's version, as installed: the one place it is written (``docgen --version`` reads it too)."""
