"""The web layer: routes, websocket endpoints, login and rendering."""
