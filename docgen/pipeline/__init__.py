"""Build: the pipeline that runs the stages into out/, its cache, manifest and fingerprint.

Kept free of imports here: the CLI imports :mod:`docgen.pipeline.fingerprint`
before anything heavy loads.
"""
