"""Records: the files docgen writes and later reads back as proof of what it did.

``manifest.json`` (every file a build made, for the no-change check, the
output folder's ownership, ``docgen verify``, the sending and the review
page) and the send log (``<möte>.utskick.jsonl``: what went to whom, when).
Each is one typed model, written and read through the same module, so that
no reader knows the Swedish keys and a damaged record is a Swedish error
rather than a KeyError. The stage sits before documents and pdf so that
every stage that reads a record may import it.
"""
