"""English interface, Vietnamese data formats: the same dd/mm/yyyy dates and "1.000,5" numbers as in Vietnamese."""

from treem.formats.vi.formats import *  # noqa: F403
