"""The meeting's records as an archive package: E-ARK SIP 2.1 (FGS Paketstruktur 2.0), ``docgen arkivera``."""
