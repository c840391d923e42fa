"""The web adapter: the REST API (/api/v1) and the server-rendered portal."""
