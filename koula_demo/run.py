"""``koula demo``'s life: check ports, start everything, print one URL, stop everything.

The children (Ralph's LRS when installed, the tool, the workbench) start first, then the
sandbox's server thread;
SIGINT (Ctrl-C) and SIGTERM only set an event, so whatever the demo is doing it ends in
the same ``finally``: every child's process group stopped, the sandbox closed.
"""

from __future__ import annotations

import signal
import threading
import time
from pathlib import Path
from typing import TextIO

from koula.messages import gettext_for
from koula_demo.children import (
    invite_tool,
    mailbox_of,
    run_reminders,
    start_tool,
    start_workbench,
    workbench_available,
)
from koula_demo.lrs import RunningLrs, demo_lrs, start_demo_lrs, xapi_env
from koula_demo.ports import Ports, PortTaken, check_free
from koula_demo.processes import Child, stop_children, wait_until_ready
from koula_demo.registration import RegistrationFailed, register_koula
from koula_demo.sandbox import Sandbox
from koula_demo.store import StateStore

__all__ = ["run_demo"]


def run_demo(*, data_dir: Path, base_port: int, workbench: bool, language: str, out: TextIO) -> int:
    """Run the demo until SIGINT or SIGTERM; return the exit status (2: a port is taken)."""
    _ = gettext_for(language)
    ports = Ports(base_port)
    workbench = workbench and workbench_available()
    try:
        check_free(ports, _, workbench=workbench)
    except PortTaken as taken:
        print(f"koula demo: {taken}", file=out, flush=True)
        return 2
    data_dir = data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    stop = threading.Event()
    previous = {
        sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)
    }
    started = time.monotonic()
    children: list[Child] = []
    sandbox: Sandbox | None = None
    print(
        _("Koula demo: starting… (data and logs in {folder})").format(folder=data_dir),
        file=out,
        flush=True,
    )
    lrs: RunningLrs | None = None
    try:
        lrs = demo_lrs(data_dir, ports.lrs)
        children.append(start_tool(data_dir, ports.tool, xapi_env(lrs)))
        lrs = start_demo_lrs(lrs)
        if workbench:
            children.append(start_workbench(data_dir, ports.workbench))
        workbench_url = ports.url(ports.workbench) if workbench else None
        sandbox = Sandbox(
            ports.sandbox,
            StateStore(data_dir / "sandbox.sqlite3"),
            workbench_url,
            mailbox=mailbox_of(data_dir),
            run_reminders=lambda day, lang: run_reminders(data_dir, ports.tool, day, lang),
        )
        for child, url in zip(
            children, [ports.url(ports.tool) + "/healthz", f"{workbench_url}/"], strict=False
        ):
            if not wait_until_ready(child, url, stop):
                return 0
        register_koula(sandbox, lambda: invite_tool(data_dir, ports.tool))
        if not workbench:
            print(
                _(
                    "The Open edX workbench is not available: it runs from a Koula checkout"
                    " with the test tools installed (./dev start)."
                ),
                file=out,
            )
        print(
            _("Koula demo is ready in {seconds:.1f} s. Open {url}").format(
                seconds=time.monotonic() - started, url=sandbox.url + "/"
            ),
            file=out,
        )
        if lrs is not None:
            print(
                _(
                    "Learning records (xAPI): each learner action also goes to the LRS on"
                    " port {port} (user {user}, password {password}); read them at"
                    " {where}/statements."
                ).format(
                    port=lrs.port,
                    user=lrs.key,
                    password=lrs.secret,
                    where=lrs.url.removeprefix("http://"),  # one URL printed: the sandbox's
                ),
                file=out,
            )
        print(_("Ctrl-C stops everything."), file=out, flush=True)
        while not stop.wait(0.5):
            for child in children:
                if child.process.poll() is not None:
                    print(
                        _("{name} stopped unexpectedly; stopping the demo.").format(
                            name=child.name
                        ),
                        file=out,
                    )
                    print(child.log_tail(), file=out, flush=True)
                    return 1
        return 0
    except (RuntimeError, RegistrationFailed) as error:
        print(f"koula demo: {error}", file=out, flush=True)
        return 1
    finally:
        print(_("Koula demo: stopping…"), file=out, flush=True)
        stop_children(children, lambda line: print(line, file=out, flush=True))
        if lrs is not None:
            lrs.stop()
        if sandbox is not None:
            sandbox.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        print(_("Koula demo: stopped."), file=out, flush=True)
