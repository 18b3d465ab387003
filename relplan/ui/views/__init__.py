"""Views: tables, and later the calendar, timeline and graph scenes."""
