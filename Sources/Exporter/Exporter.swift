// Wires configuration, collectors and the HTTP server.
