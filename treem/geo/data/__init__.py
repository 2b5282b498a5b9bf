"""Administrative-unit data files (CSV) shipped with treem.geo; see docs/geo-data.md."""
