"""Where the graph lives: local stores (in memory or on disk) and remote SPARQL endpoints."""
