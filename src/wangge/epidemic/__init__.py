"""Cases, venues and exposures: the chain of transmission on the one person record."""
