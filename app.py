"""Entry point: `flask run`, gunicorn `app:app`, or `python app.py` (Socket.IO development server)."""

import gc
import os

from stac_youth import create_app
from stac_youth.common.sockets import debugger_around_pages_only
from stac_youth.extensions import socketio

app = create_app()
# What start-up built (modules, mappers, templates' code) lives as long as the process. Left in the collector's
# oldest generation, each full collection walked all of it: 100 ms or more during which the process answered
# nothing. Frozen, a full collection looks only at what requests made since, in about a tenth of that.
gc.freeze()

if __name__ == "__main__":
    debug = os.environ.get("FLASK_DEBUG") == "1"
    if debug:
        debugger_around_pages_only()  # a closed tab's websocket is not a crash
    socketio.run(
        app,
        host=os.environ.get("HOST", "127.0.0.1"),
        port=int(os.environ.get("PORT", "5000")),
        debug=debug,
        use_debugger=False,  # debugger_around_pages_only put it where it belongs
        allow_unsafe_werkzeug=os.environ.get("STAC_ENV", "development") == "development",
    )
