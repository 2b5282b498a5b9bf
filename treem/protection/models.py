"""Models of the protection app."""
