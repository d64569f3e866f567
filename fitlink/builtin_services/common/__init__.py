"""What both built-in services share: accounts and their data, recorded steps, clock, WSGI lock, server thread,
the build steps (config, database, pages) and the page templates (base, message, account choice)."""
