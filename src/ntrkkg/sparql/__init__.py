"""The SPARQL layer, the one door every query passes: vetting, confined engines, the result cache."""
