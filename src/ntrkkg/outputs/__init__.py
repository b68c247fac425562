"""What a build writes into dist/: dumps, SSSOM, VoID/DCAT, the model diagram and the ontology page."""
