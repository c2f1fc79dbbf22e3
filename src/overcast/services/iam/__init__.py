"""AWS Identity and Access Management: users, groups, roles, policies, access keys, OIDC providers."""
