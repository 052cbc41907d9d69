"""One module per policy; each exposes ``POLICY`` and its ``validate`` function."""
