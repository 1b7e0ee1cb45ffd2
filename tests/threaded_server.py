"""Uvicorn in a thread on a free loopback port: real HTTP for the web and API tests."""

from __future__ import annotations

import socket
import threading
import time

import uvicorn
from fastapi import FastAPI


class ThreadedServer:
    """``with ThreadedServer(app) as url: ...`` serves ``app`` until the block ends."""

    def __init__(self, app: FastAPI, *, log_everything: bool = False, lifespan: str = "on") -> None:
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.port = self.socket.getsockname()[1]
        if log_everything:  # uvicorn's loggers left unconfigured: records reach pytest's caplog
            config = uvicorn.Config(app, log_config=None, log_level="debug", access_log=True)
        else:
            config = uvicorn.Config(app, log_level="warning", lifespan=lifespan)  # type: ignore[arg-type]
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, args=([self.socket],), daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.02)
        return f"http://127.0.0.1:{self.port}"

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)
        self.socket.close()
