"""Input: the secretary's YAML read with positions and validated into :mod:`docgen.model`."""
