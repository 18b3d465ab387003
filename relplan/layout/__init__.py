"""View geometry for the calendar, timeline and map, with no Qt: the views only draw it."""
