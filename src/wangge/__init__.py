"""wangge (網格): grid-based community governance and emergency response."""
