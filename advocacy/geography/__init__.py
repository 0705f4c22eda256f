"""ZIP -> state and congressional district, and the lawmakers who represent them."""
