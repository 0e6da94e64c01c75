"""Runs moto_server on a free loopback port until standard input closes.

The test process keeps this script's stdin open; when the process ends, the pipe closes and the
emulator is stopped. Prints the port once the server accepts connections.
"""

import os
import socket
import subprocess
import sys
import time


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main():
    log_path = sys.argv[1]
    port = free_port()
    env = dict(os.environ, MOTO_IAM_LOAD_MANAGED_POLICIES="true")
    moto_server = os.path.join(os.path.dirname(sys.executable), "moto_server")
    with open(log_path, "w") as log:
        server = subprocess.Popen(
            [moto_server, "-H", "127.0.0.1", "-p", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if server.poll() is not None:
                    sys.exit(f"moto_server exited with code {server.returncode}; see {log_path}")
                if time.monotonic() > deadline:
                    server.kill()
                    sys.exit(f"moto_server did not accept connections within 60 s; see {log_path}")
                time.sleep(0.1)
        print(port, flush=True)
        try:
            sys.stdin.read()
        finally:
            server.terminate()
            server.wait(10)


if __name__ == "__main__":
    main()
