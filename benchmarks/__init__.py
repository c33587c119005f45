"""Benchmarks: oauth2-core side by side with requests-oauthlib, Authlib and
requests-oauth2client.  Run ``python -m benchmarks`` (see benchmarks/README.md)."""
