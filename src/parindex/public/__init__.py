"""The public page (issue 4, part 6): published results without login."""
