"""Plain Python that works on the database for the models: the passes of an import over an
Amazon file, too stateful and too long-lived for a model method."""
