"""Browser tests: fitlink and its built-in Fitbit service served for real, driven in Debian Chromium."""
