"""docgen: a Swedish kommunalförbund's decision documents from YAML.

The pipeline has one module per stage around the data model in
:mod:`docgen.model`: :mod:`load` (YAML with line numbers), :mod:`validate`
(model and domain rules), :mod:`render` (docxtpl), :mod:`convert`
(LibreOffice), :mod:`assemble` (pikepdf) and :mod:`build`, which ties them
together. :mod:`cli` is a thin click layer over :func:`docgen.build.build`.
"""

__version__ = "0.1.0"
