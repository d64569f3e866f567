"""What both built-in services share: accounts and their data, clock, WSGI lock, server thread."""
