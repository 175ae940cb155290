"""Documents: the plan of what is made for whom, and the Word templates filled in (docxtpl)."""
