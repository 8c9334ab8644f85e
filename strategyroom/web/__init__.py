"""The web layer: routes, websocket endpoints, login, and drawing the read
model's scenes (strategyroom.live.readmodel) as HTML and JSON."""
