"""The web side: the visitor chat and widget, the /chat API, staff login, the staff console and its UI."""
