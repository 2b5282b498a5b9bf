"""Date and number formats for TreEm (FORMAT_MODULE_PATH): dd/mm/yyyy in both languages, decimal comma."""
