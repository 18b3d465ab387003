"""Publishing the plan's calendar to servers (CalDAV), so people subscribe instead of importing."""
