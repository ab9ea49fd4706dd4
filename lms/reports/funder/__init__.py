"""Funder reports (issue 16): the figures of a period compared with the period before,
monthly series, and the two documents a funder reads (PDF, workbook). ``periods`` and
``charts`` are pure; ``content`` reads the figures; ``documents`` writes the files;
``lms.reports.actions`` runs a build on a ``FunderReport`` row."""
