"""The drawing pieces the views are made of: graphics items, axes, grids, and the speed
tricks they carry. None of them reads the session; each module says what it is for."""
