"""The web form's request handlers, one module per page family."""
