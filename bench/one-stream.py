#!/usr/bin/env python3
"""Rough one-stream throughput through the gateway (issue 4's figure; the full suite is issue 8).

Starts the gateway (Release build) on free loopback ports with a temporary data directory,
opens a built-in relay tunnel, starts a destination and a source session through the REST API,
then pushes N MiB one way: TCP client -> source -> relay (WSS) -> destination -> sink.
Also measures raw loopback TCP between the same client and sink, for comparison.

    python3 bench/one-stream.py [MiB]      (default 1024)
Everything binds to 127.0.0.1; the gateway is stopped at the end.
"""
import json
import os, secrets, socket, ssl, subprocess, sys, tempfile, threading, time, urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MIB = int(sys.argv[1]) if len(sys.argv) > 1 else 1024
TOTAL = MIB * 1024 * 1024
CHUNK = b"\x5a" * (1024 * 1024)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def sink_server():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    done = threading.Event()
    received = [0]

    def run():
        conn, _ = server.accept()
        buf = bytearray(1024 * 1024)
        while received[0] < TOTAL:
            n = conn.recv_into(buf)
            if n == 0:
                break
            received[0] += n
        done.set()
        conn.close()
        server.close()

    threading.Thread(target=run, daemon=True).start()
    return server.getsockname()[1], done, received


def push(port, done):
    client = socket.create_connection(("127.0.0.1", port), timeout=60)
    client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    start = time.perf_counter()
    sent = 0
    while sent < TOTAL:
        client.sendall(CHUNK)
        sent += len(CHUNK)
    if not done.wait(300):
        raise SystemExit("the sink did not receive everything within 300 s")
    elapsed = time.perf_counter() - start
    client.close()
    return TOTAL / elapsed / 1e6


# The gateway needs a login: this run's own admin API key, given through Auth:AdminApiKey.
KEY = secrets.token_hex(24)


def api(base, method, path, body=None):
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method, headers={"Content-Type": "application/json", "X-Api-Key": KEY})
    with urllib.request.urlopen(req, context=ctx, timeout=30) as r:
        return json.loads(r.read() or b"null")


def main():
    subprocess.run(["dotnet", "build", "-c", "Release", "-v", "q", "--nologo", os.path.join(ROOT, "src/Gateway.Api")], check=True)
    data = tempfile.mkdtemp(prefix="gateway-bench-")
    https, http = free_port(), free_port()
    dll = os.path.join(ROOT, "src/Gateway.Api/bin/Release/net10.0/Gateway.Api.dll")
    gateway = subprocess.Popen(["dotnet", dll, "--urls", f"https://127.0.0.1:{https};http://127.0.0.1:{http}",
                                f"--Gateway:DataDirectory={data}", f"--Auth:AdminApiKey={KEY}", "--Logging:LogLevel:Default=Warning"],
                               cwd=data, stdout=subprocess.DEVNULL)
    try:
        base = f"https://127.0.0.1:{https}"
        for _ in range(200):
            try:
                api(base, "GET", "/healthz")
                break
            except OSError:
                time.sleep(0.1)
        tunnel = api(base, "POST", "/api/relay/tunnels", {"services": ["BENCH"]})
        sink_port, done, _ = sink_server()
        ca = os.path.join(data, "tls", "ca")
        endpoint = f"wss://127.0.0.1:{https}"
        dst = api(base, "POST", "/api/tunnels", {"mode": "destination", "endpoint": endpoint, "caPath": ca,
                                                  "accessToken": tunnel["destinationAccessToken"], "services": f"BENCH=127.0.0.1:{sink_port}"})
        src_port = free_port()
        src = api(base, "POST", "/api/tunnels", {"mode": "source", "endpoint": endpoint, "caPath": ca, "bindAddress": "127.0.0.1",
                                                  "accessToken": tunnel["sourceAccessToken"], "services": f"BENCH={src_port}"})
        for _ in range(200):
            states = [api(base, "GET", f"/api/tunnels/{s['id']}") for s in (src, dst)]
            if all(s["state"] == "Connected" and s.get("stateReason") is None for s in states):
                break
            time.sleep(0.05)
        raw_port, raw_done, _ = sink_server()
        raw = push(raw_port, raw_done)
        chain = push(src_port, done)
        print(f"{MIB} MiB one way: raw loopback {raw:,.0f} MB/s; through source -> relay (WSS) -> destination {chain:,.0f} MB/s ({chain / raw:.1%} of raw)")
    finally:
        gateway.terminate()
        gateway.wait(30)


if __name__ == "__main__":
    main()
