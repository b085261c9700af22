"""What every app stands on: the code-path rules, roles and permissions, actors,
history, the shared shapes of the API, pages and back office. It imports no app."""
