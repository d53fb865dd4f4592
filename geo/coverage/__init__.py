"""Monthly visit coverage (S7.1, DESIGN §5): figures, months and closing, visiting tours,
reports."""
