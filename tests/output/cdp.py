"""Headless Chromium driven over the DevTools protocol, with python3's standard library only
(a minimal WebSocket client: RFC 6455 client handshake, masked text frames out, text,
continuation, ping and close frames in).

Chromium is started with a throw-away profile, no first-run or background networking, every
host name resolving to nothing and a proxy that refuses connections, so a page that tried to
fetch something could not reach any network; such a try still shows up as a network event.
"""
import base64
import http.client
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import time


class CdpError(Exception):
    pass


class WebSocket:
    """Just enough of a WebSocket client for the DevTools endpoint on 127.0.0.1."""

    def __init__(self, host, port, path, timeout):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
                           f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                           "Sec-WebSocket-Version: 13\r\n\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise CdpError("DevTools closed the connection during the handshake")
            head += chunk
        head, self.buf = head.split(b"\r\n\r\n", 1)
        if b" 101 " not in head.split(b"\r\n", 1)[0]:
            raise CdpError(f"DevTools refused the WebSocket: {head[:200]!r}")

    def _read(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(max(65536, n - len(self.buf)))
            if not chunk:
                raise CdpError("DevTools connection closed")
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def _send_frame(self, opcode, payload):
        head = bytes([0x80 | opcode])
        n = len(payload)
        if n < 126:
            head += bytes([0x80 | n])
        elif n < 65536:
            head += bytes([0x80 | 126]) + struct.pack(">H", n)
        else:
            head += bytes([0x80 | 127]) + struct.pack(">Q", n)
        mask = os.urandom(4)
        self.sock.sendall(head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))

    def send(self, text):
        self._send_frame(0x1, text.encode("utf-8"))

    def recv(self):
        """The next text message (str); answers pings; raises CdpError on close."""
        message = b""
        while True:
            b0, b1 = self._read(2)
            n = b1 & 0x7F
            if n == 126:
                n = struct.unpack(">H", self._read(2))[0]
            elif n == 127:
                n = struct.unpack(">Q", self._read(8))[0]
            mask = self._read(4) if b1 & 0x80 else None
            payload = self._read(n)
            if mask:
                payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
            opcode = b0 & 0x0F
            if opcode == 0x8:
                raise CdpError("DevTools closed the WebSocket")
            if opcode == 0x9:
                self._send_frame(0xA, payload)
                continue
            if opcode in (0x0, 0x1, 0x2):
                message += payload
                if b0 & 0x80:
                    return message.decode("utf-8")

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def find_chromium():
    """Path of Debian's chromium (or $CHROMIUM), or None."""
    for cand in (os.environ.get("CHROMIUM"), "chromium", "chromium-browser"):
        if cand and shutil.which(cand):
            return shutil.which(cand)
    return None


class Browser:
    """One headless Chromium with one page; use as a context manager."""

    def __init__(self, binary, workdir, timeout=30.0, width=1280, height=1600):
        self.timeout = timeout
        self.profile = os.path.join(workdir, "chromium-profile")
        shutil.rmtree(self.profile, ignore_errors=True)  # a stale DevToolsActivePort misleads
        os.makedirs(self.profile)
        self.log_path = os.path.join(workdir, "chromium.log")
        args = [binary, "--headless=new", "--disable-gpu", "--no-first-run",
                "--no-default-browser-check", "--disable-extensions", "--disable-sync",
                "--disable-background-networking", "--disable-component-update",
                "--disable-default-apps", "--disable-breakpad", "--mute-audio",
                "--hide-scrollbars", "--password-store=basic", "--use-mock-keychain",
                "--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=127.0.0.1:9",
                f"--window-size={width},{height}", f"--user-data-dir={self.profile}",
                "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
                # The sandbox refuses to run as root and needs user namespaces otherwise; the
                # pages opened here are our own local files, so it is left off everywhere.
                "--no-sandbox", "about:blank"]
        # its own HOME and XDG folders too: nothing read from or left in the user's
        env = dict(os.environ, HOME=workdir, XDG_CONFIG_HOME=os.path.join(workdir, ".config"),
                   XDG_CACHE_HOME=os.path.join(workdir, ".cache"))
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=self.log,
                                     stderr=subprocess.STDOUT, start_new_session=True, env=env)
        self.ws = None
        self.next_id = 0
        self.events = []

    def __enter__(self):
        try:
            self._connect()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc):
        self.close()

    def _connect(self):
        port_file = os.path.join(self.profile, "DevToolsActivePort")
        deadline = time.monotonic() + self.timeout
        while not os.path.exists(port_file) or os.path.getsize(port_file) == 0:
            if self.proc.poll() is not None:
                raise CdpError(f"chromium exited with {self.proc.returncode}; see {self.log_path}")
            if time.monotonic() > deadline:
                raise CdpError(f"chromium did not open DevTools in {self.timeout}s")
            time.sleep(0.1)
        time.sleep(0.1)  # the file is written in one go, but be safe about a partial read
        port = int(open(port_file).read().split()[0])
        # http.client, unlike urllib, never goes through an http_proxy from the environment
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=self.timeout)
        try:
            conn.request("GET", "/json/list")
            targets = json.loads(conn.getresponse().read())
        finally:
            conn.close()
        pages = [t for t in targets if t.get("type") == "page"]
        if not pages:
            raise CdpError(f"no page target in {targets}")
        path = "/" + pages[0]["webSocketDebuggerUrl"].split("/", 3)[3]
        self.ws = WebSocket("127.0.0.1", port, path, self.timeout)

    def call(self, method, **params):
        """Sends one command and returns its result; events that arrive meanwhile are kept."""
        self.next_id += 1
        my_id = self.next_id
        self.ws.send(json.dumps({"id": my_id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == my_id:
                if "error" in msg:
                    raise CdpError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            if "method" in msg:
                self.events.append(msg)

    def wait_event(self, method, timeout=None):
        """Waits for an event named `method` (also one already received); returns it."""
        for e in self.events:
            if e["method"] == method:
                return e
        self.ws.sock.settimeout(timeout or self.timeout)
        try:
            while True:
                msg = json.loads(self.ws.recv())
                if "method" in msg:
                    self.events.append(msg)
                    if msg["method"] == method:
                        return msg
        except socket.timeout:
            raise CdpError(f"no {method} within {timeout or self.timeout}s") from None
        finally:
            self.ws.sock.settimeout(self.timeout)

    def load(self, url):
        """Navigates to `url` with the Runtime, Log, Network and Page domains on, and waits for
        the load event. Returns the events seen from the navigation on."""
        for domain in ("Runtime", "Log", "Network", "Page"):
            self.call(f"{domain}.enable")
        self.events = []
        nav = self.call("Page.navigate", url=url)
        if nav.get("errorText"):
            raise CdpError(f"navigating to {url}: {nav['errorText']}")
        self.wait_event("Page.loadEventFired")
        self.evaluate("new Promise(r => requestAnimationFrame(() => setTimeout(r, 50)))")
        return self.events

    def evaluate(self, expression):
        """The value of a JavaScript expression in the page (promises awaited), by value."""
        res = self.call("Runtime.evaluate", expression=expression, returnByValue=True,
                        awaitPromise=True)
        if "exceptionDetails" in res:
            raise CdpError(f"evaluate failed: {res['exceptionDetails']}")
        return res["result"].get("value")

    def screenshot(self, path, width, height, full_page=False):
        """Saves a PNG of the page, `width` CSS pixels wide: the first `height` pixels, or the
        whole page with `full_page`."""
        if full_page:
            height = int(self.evaluate("document.documentElement.scrollHeight"))
        self.call("Emulation.setDeviceMetricsOverride", width=width, height=height,
                  deviceScaleFactor=1, mobile=False)
        res = self.call("Page.captureScreenshot", format="png", fromSurface=True,
                        captureBeyondViewport=full_page)
        with open(path, "wb") as f:
            f.write(base64.b64decode(res["data"]))

    def close(self):
        if self.ws:
            self.ws.close()
            self.ws = None
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)  # chromium and its helper processes
                self.proc.wait(timeout=10)
            except (subprocess.TimeoutExpired, ProcessLookupError):
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.proc.wait(timeout=10)
        self.log.close()


def console_problems(events, page_url):
    """Errors the page caused, from its DevTools events: console.error/assert calls, uncaught
    exceptions, error log entries (CSP violations, failed loads, parser complaints), failed
    loads, and any request for something other than the page itself."""
    problems = []
    for e in events:
        m, p = e["method"], e.get("params", {})
        if m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
            args = " ".join(str(a.get("value", a.get("description", "")))
                            for a in p.get("args", []))
            problems.append(f"console.{p['type']}: {args}")
        elif m == "Runtime.exceptionThrown":
            problems.append(f"exception: {p.get('exceptionDetails', {}).get('text')}")
        elif m == "Log.entryAdded" and p.get("entry", {}).get("level") == "error":
            problems.append(f"log error ({p['entry'].get('source')}): {p['entry'].get('text')}")
        elif m == "Network.loadingFailed":
            problems.append(f"load failed: {p.get('errorText')}")
        elif m == "Network.requestWillBeSent":
            url = p.get("request", {}).get("url", "")
            if url.split("#")[0] != page_url.split("#")[0]:
                problems.append(f"request for {url[:120]}")
    return problems
