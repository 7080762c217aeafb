"""Demo C programs shipped as package data for `tdbg --demo`."""
