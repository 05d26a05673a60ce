"""Runs a command with a stand-in journald: in a private mount namespace (run this under
`unshare --mount`), a tmpfs over /run/systemd holds a datagram socket at
/run/systemd/journal/socket, where sd_journal_sendv writes its native entries. The command's
stderr is a file whose device:inode is in JOURNAL_STREAM, so appflowd logs natively.

    unshare --mount python3 journal_capture.py ENTRIES STDERR -- COMMAND...

Each entry received is appended to ENTRIES as raw bytes, followed by a line "\\x1e\\n".
SIGTERM is passed on to the command; exits with its status."""
import os
import signal
import socket
import subprocess
import sys
import threading


def main():
    entries_path, stderr_path = sys.argv[1], sys.argv[2]
    command = sys.argv[sys.argv.index("--") + 1:]
    subprocess.run(["mount", "--make-rprivate", "/"], check=True)
    os.makedirs("/run/systemd", exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "mode=0755", "journal-capture", "/run/systemd"], check=True)
    os.makedirs("/run/systemd/journal")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind("/run/systemd/journal/socket")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    out = open(entries_path, "ab")
    done = threading.Event()

    def receive():
        sock.settimeout(0.2)
        while True:
            try:
                data = sock.recv(1 << 20)
            except socket.timeout:
                if done.is_set():
                    return
                continue
            out.write(data + b"\x1e\n")
            out.flush()

    thread = threading.Thread(target=receive)
    thread.start()
    stderr = open(stderr_path, "ab")
    info = os.fstat(stderr.fileno())
    env = dict(os.environ, JOURNAL_STREAM=f"{info.st_dev}:{info.st_ino}")
    child = subprocess.Popen(command, stderr=stderr, stdout=stderr, env=env)
    signal.signal(signal.SIGTERM, lambda *_: child.send_signal(signal.SIGTERM))
    status = child.wait()
    done.set()
    thread.join()
    sys.exit(status)


if __name__ == "__main__":
    main()
