"""The build: load the curated files, reason (OWL-RL), validate (SHACL); ``pipeline`` runs the stages."""
