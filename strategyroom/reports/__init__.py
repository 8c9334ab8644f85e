"""Council reports: what a session (or several of the same deck) found, as an
HTML page, a PDF, CSV and JSON, and read-only share links (docs/reports.md).

data     reads a session's rows from storage in a few queries
model    the report's figures, all computed by strategyroom.aggregate
charts   server-side SVG charts, readable in black and white
html     the page (also the source of the PDF); pdf: WeasyPrint
exports  CSV (one row per answer) and JSON (with a JSON Schema)
shares   share links: hashed tokens with an expiry, revocable
timing   a timing function for the benchmark
"""
