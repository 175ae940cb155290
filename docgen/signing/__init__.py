"""Signing: the protocol justerat (``docgen justera``), extracts certified and packages sealed (``docgen bestyrk``),
and the check before anything leaves that what goes is what was justerat and certified."""
