"""The review page: every member's package side by side, before anything is sent.

:mod:`docgen.review.page` writes ``out/<meeting>/granskning/index.html`` as the
build's addition; :mod:`docgen.review.server` is ``docgen serve``, which
rebuilds on every save and reloads the page.
"""
