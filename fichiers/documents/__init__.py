"""The year's documents made from the data: the rapport d'exécution of a bilan and the annexe
financière of a tableau des engagements (PDF/A-3b with WeasyPrint, an editable DOCX draft of
the rapport), for the pages and the management commands."""
