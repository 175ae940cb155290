"""The model at the centre: the case, its legal calendar, allocation, Swedish forms and clause language."""
