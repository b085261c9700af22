"""The emergency resource database (应急资源库): materials in depots, shelters, providers, and the
allocation of scarce supplies from depots to the grids that ask for them."""
