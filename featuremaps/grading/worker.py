"""The student's process: runs the notebook's cells and answers the trusted side in plain data.

Run in a fork of a zygote (:mod:`featuremaps.grading.zygote`) once it is locked in, with one
socket (``--fd``) to the trusted runner. It runs each cell with IPython (so magics work as in Jupyter),
captures what the cell prints (capped), and answers three kinds of request: run a cell,
read a variable, call a function. Before the first request it imports the course's libraries
(``--preload``; most are in already, from the zygote) and says it is ready, so no cell's time
limit pays for them. Everything here is in the student's reach, so nothing it says is
trusted: the runner checks every answer (:func:`featuremaps.grading.plain.decode`).
"""

from __future__ import annotations

import argparse
import importlib
import io
import socket
import sys
import traceback

from featuremaps.grading import plain
from featuremaps.grading.common import TRUNCATION_MARK


class CappedText(io.TextIOBase):
    """Keeps the first ``limit`` characters a cell prints and counts the rest."""

    def __init__(self, limit: int):
        self.limit, self.parts, self.size = limit, [], 0

    def write(self, text) -> int:
        text = str(text)
        room = self.limit - self.size
        if room > 0:
            self.parts.append(text[:room])
        self.size += len(text)
        return len(text)

    def writable(self) -> bool:
        return True

    def value(self) -> str:
        text = "".join(self.parts)
        if self.size > self.limit:
            text += f"\n{TRUNCATION_MARK} after {self.limit} characters ({self.size} printed)\n"
        return text


def _error(exc: BaseException) -> dict:
    return {"type": type(exc).__name__[:100], "message": str(exc)[:500]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--fd", type=int, required=True)
    parser.add_argument("--output-limit", type=int, default=20_000)
    parser.add_argument("--preload", default="", help="modules to import before the first cell, comma-separated")
    args = parser.parse_args(argv)
    sock = socket.socket(fileno=args.fd)
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance(colors="NoColor")
    preloaded = []
    for name in filter(None, args.preload.split(",")):
        try:  # into sys.modules only: the notebook's namespace still holds only what its cells define
            importlib.import_module(name)
            preloaded.append(name)
        except Exception:  # a cell that needs it will say so itself
            pass
    plain.send(sock, {"ready": True, "preloaded": preloaded})
    handles: dict[int, object] = {}
    real_out, real_err = sys.stdout, sys.stderr
    while True:
        try:
            request = plain.recv(sock)
        except KeyboardInterrupt:  # an interrupt that arrived just after the last answer
            continue
        except (EOFError, OSError):
            return 0
        op = request.get("op")
        reply: dict = {}
        if op == "run":
            captured = CappedText(args.output_limit)
            sys.stdout = sys.stderr = captured
            try:
                result = shell.run_cell(request["source"], store_history=False)
                error = result.error_before_exec or result.error_in_exec
            except BaseException as exc:  # IPython catches almost everything; this is the rest
                error = exc
            finally:
                sys.stdout, sys.stderr = real_out, real_err
            reply = {"output": captured.value(), "printed": captured.size,
                     "error": None if error is None else _error(error)}
        elif op == "get":
            name = request["name"]
            if name not in shell.user_ns:
                reply = {"missing": True}
            else:
                try:
                    reply = {"value": plain.encode(shell.user_ns[name], handles)}
                except Exception as exc:
                    reply = {"unreadable": _error(exc)}
        elif op == "call":
            try:
                function = handles[request["handle"]]
                call_args = plain.decode_args(request["args"], handles)
                kwargs = dict(plain.decode_args(request["kwargs"], handles))
                sys.stdout = sys.stderr = CappedText(args.output_limit)
                try:
                    value = function(*call_args, **kwargs)
                finally:
                    sys.stdout, sys.stderr = real_out, real_err
                reply = {"value": plain.encode(value, handles)}
            except BaseException as exc:  # the student's exception (or interrupt) is reported, not raised
                reply = {"raised": _error(exc)}
                if isinstance(exc, (SystemExit,)):
                    reply["raised"]["message"] = "the function called exit()"
        else:
            reply = {"raised": {"type": "ProtocolError", "message": f"unknown request {op!r}"}}
        try:
            plain.send(sock, reply)
        except (OSError, TypeError, ValueError):
            traceback.print_exc(file=real_err)
            plain.send(sock, {"raised": {"type": "ProtocolError", "message": "the answer could not be sent"}})


if __name__ == "__main__":
    sys.exit(main())
