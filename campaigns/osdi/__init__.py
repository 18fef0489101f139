"""OSDI (Open Supporter Data Interface): Vigil's read-only OSDI API and pulling signatures from OSDI systems."""
