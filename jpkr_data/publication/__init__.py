"""The publication: the release build, its codebook and its pages."""
