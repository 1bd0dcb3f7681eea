"""`vanban run`: the web server (gunicorn) and the background worker together.

Ctrl-C (SIGINT) or SIGTERM stops both cleanly; if either dies, the other is stopped
too, so a half-running system never lingers."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Chạy máy chủ web và tiến trình xử lý nền."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--bind", default=os.environ.get("VANBAN_BIND", "127.0.0.1:8000"))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("VANBAN_WEB_WORKERS", 3)))
        parser.add_argument("--no-worker", action="store_true", help="Chỉ chạy máy chủ web")

    def handle(self, *args: Any, **options: Any) -> None:
        bin_dir = os.path.dirname(sys.executable)
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "vanban.settings"}
        web_cmd = [
            os.path.join(bin_dir, "gunicorn"), "vanban.wsgi:application",
            "--bind", options["bind"], "--workers", str(options["workers"]),
            "--threads", "4", "--worker-class", "gthread", "--timeout", "120",
            "--access-logfile", "-", "--graceful-timeout", "10",
        ]
        procs: list[tuple[str, subprocess.Popen[bytes]]] = [("web", subprocess.Popen(web_cmd, env=env))]
        if not options["no_worker"]:
            worker_cmd = [os.path.join(bin_dir, "vanban"), "worker", "--interval", "1"]
            procs.append(("worker", subprocess.Popen(worker_cmd, env=env)))
        self.stdout.write(f"vanban đang chạy tại http://{options['bind']}/  (Ctrl-C để dừng)")

        stopping = False

        def stop(signum: int, frame: Any) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        exit_code = 0
        try:
            while not stopping:
                for name, proc in procs:
                    if proc.poll() is not None:
                        self.stderr.write(f"Tiến trình {name} đã dừng (mã {proc.returncode}); dừng toàn bộ hệ thống.")
                        exit_code = proc.returncode or 1
                        stopping = True
                        break
                time.sleep(0.3)
        finally:
            for _, proc in procs:
                if proc.poll() is None:
                    proc.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + 15
            for _, proc in procs:
                try:
                    proc.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    proc.kill()
            self.stdout.write("Đã dừng máy chủ web và tiến trình xử lý nền.")
        if exit_code:
            sys.exit(exit_code)
