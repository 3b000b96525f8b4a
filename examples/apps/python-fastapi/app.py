"""A FastAPI app served by uvicorn; FastAPI and uvicorn come from Debian packages.

`python3 app.py --once` serves on 127.0.0.1:8000 in a thread, asks itself one request and
prints the answer (for `podman run` with no network); without arguments it serves on 0.0.0.0.
"""
import json
import sys
import threading
import time
import urllib.request

import fastapi
import uvicorn

app = fastapi.FastAPI()


@app.get("/items/{item_id}")
def read_item(item_id: int):
    return {"item_id": item_id, "fastapi": fastapi.__version__}


def main():
    if "--once" not in sys.argv:
        uvicorn.run(app, host="0.0.0.0", port=8000)
        return
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=8000, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    for _ in range(100):
        if server.started:
            break
        time.sleep(0.05)
    with urllib.request.urlopen("http://127.0.0.1:8000/items/42", timeout=5) as r:
        print(json.dumps(json.load(r), sort_keys=True))
    server.should_exit = True


if __name__ == "__main__":
    main()
