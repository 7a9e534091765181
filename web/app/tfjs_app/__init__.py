"""tfjs_app: the web app's UI logic, in Python under Pyodide (boot.js only boots and calls start()).

Panels, one module each: loading (drop zone, picker, URL), card (model card, from describe), run (image and
tensor inputs, outputs, backend switch), save, stored (stored models and storage), bench (benchmark, TF.js
side by side). dom holds the DOM and FFI chores, charts the SVG charts and canvas heat maps.
"""

from __future__ import annotations

current = None  # the running App (tests and the console reach it as tfjs_app.current)


async def start():
    """Wire the page's controls and enable them; returns the App."""
    global current
    from .app import App

    if current is not None:
        current.close()
    current = App()
    await current.start()
    return current
