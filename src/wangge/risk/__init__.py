"""Graded risk (分级分类): versioned rules that grade persons, buildings, grids and communities."""
