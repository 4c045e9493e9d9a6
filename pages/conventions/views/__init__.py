"""The pages of the conventions, one module a page or a family of pages; the access rule of
all of them: every view reads through ``comptes.acces.conventions_de(user)``, a user only
reaches the conventions of the territoires they follow (404 otherwise)."""
