"""Supporting files: sniffing, limits, Office conversion and normalisation of PDFs and images to A4."""
