"""Users, roles, API tokens and browser sessions: who may see which figures."""
