#!/usr/bin/env python3
"""Server load benchmark: requests/s and latency (p50, p99) of jixiao's pages and JSON reads under
1, 16 and 64 concurrent clients, and of requests during a long import, with wrk on 127.0.0.1.

It measures two builds side by side in the same run: this tree (target/release/jixiao) and a
baseline revision (--before, default the last commit before the application layer and the
connection pool), built once into target/bench-before/. Both serve the same demo database: SQLite
(built by `jixiao demo --no-serve`) and PostgreSQL (`jixiao --database postgres://… demo`), so the
difference is the server, not the data. Results go into docs/benchmarks.md between the
bench-server markers.

Needs: wrk (apt-get install wrk), PostgreSQL at 127.0.0.1:5432 (user postgres, trust) unless
--skip-postgres, and cargo.

  scripts/bench-server.py                    # everything (about 25 minutes on 2 cores)
  scripts/bench-server.py --seconds 5 --clients 1 --clients 64 --skip-postgres
"""
import argparse, json, os, re, shutil, signal, socket, subprocess, sys, tempfile, time, urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
AFTER = os.path.join(ROOT, "target", "release", "jixiao")
BEFORE_DIR = os.path.join(ROOT, "target", "bench-before")
DEFAULT_BEFORE = "0d84848"  # main before the application layer and the connection pool
TODAY = "2020-12-20"
PG = "postgres://postgres@127.0.0.1:5432"
PG_DB = "jixiao_bench_server"

# (name, method, path, user, body): the requests measured. The write enters a draft value as the
# reporting unit; each request writes a row and an audit entry.
REQUESTS = [
    ("/health", "GET", "/health", None, None),
    ("JSON ranking", "GET", "/api/v1/cycles/2020/ranking", "admin", None),
    ("a unit's JSON scores", "GET", "/api/v1/cycles/2020/units/dongcheng", "admin", None),
    ("overview page", "GET", "/overview", "admin", None),
    ("value write (JSON)", "PUT", "/api/v1/cycles/2020/units/dongcheng/values/A23-1/Q4", "dongcheng",
     '{"value": 95.5, "note": "bench", "submit": false}'),
]
PASSWORDS = {"admin": "demo-admin-2020", "dongcheng": "demo-dongcheng-2020"}


def run(cmd, **kw):
    p = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if p.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{p.stdout}\n{p.stderr}")
    return p.stdout


def build_before(rev):
    binary = os.path.join(BEFORE_DIR, "release", "jixiao")
    stamp = os.path.join(BEFORE_DIR, "rev")
    if os.path.exists(binary) and open(stamp).read().strip() == rev:
        return binary
    tree = os.path.join(BEFORE_DIR, "tree")
    if os.path.exists(tree):
        subprocess.run(["git", "-C", ROOT, "worktree", "remove", "--force", tree], capture_output=True)
        shutil.rmtree(tree, ignore_errors=True)
    os.makedirs(BEFORE_DIR, exist_ok=True)
    run(["git", "-C", ROOT, "worktree", "add", "--detach", tree, rev])
    print(f"building the baseline {rev} (once)…", flush=True)
    run(["cargo", "build", "--release", "-p", "jixiao"], cwd=tree,
        env={**os.environ, "CARGO_TARGET_DIR": BEFORE_DIR})
    subprocess.run(["git", "-C", ROOT, "worktree", "remove", "--force", tree], capture_output=True)
    open(stamp, "w").write(rev)
    return binary


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Server:
    def __init__(self, binary, url):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "JIXIAO_TODAY": TODAY, "JIXIAO_JOB_INTERVAL_SECONDS": "5", "RUST_LOG": "warn"}
        self.proc = subprocess.Popen([binary, "--database", url, "serve", "--bind", f"127.0.0.1:{self.port}"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        for _ in range(300):
            try:
                urllib.request.urlopen(self.base + "/health", timeout=1).read()
                return
            except Exception:
                time.sleep(0.1)
        sys.exit(f"{binary} did not start on {url}")

    def login(self, user):
        req = urllib.request.Request(self.base + "/api/v1/session", method="POST",
                                     data=json.dumps({"user": user, "password": PASSWORDS[user]}).encode(),
                                     headers={"content-type": "application/json"})
        resp = urllib.request.urlopen(req, timeout=30)
        cookie = resp.headers["set-cookie"].split(";")[0]
        return cookie, json.loads(resp.read())["csrf"]

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def wrk_command(base, method, path, headers, body, clients, seconds, lua_path):
    """The wrk command for one load, its Lua script written to `lua_path`: the script counts the
    answers by status in every thread and prints them with the latency percentiles."""
    lines = [f'wrk.method = "{method}"']
    for k, v in headers.items():
        lines.append(f'wrk.headers["{k}"] = "{v}"')
    if body:
        lines.append(f"wrk.body = '{body}'")
        lines.append('wrk.headers["content-type"] = "application/json"')
    lines.append("""
local threads = {}
function setup(thread) table.insert(threads, thread) end
statuses = {}
function response(status, headers, body) statuses[status] = (statuses[status] or 0) + 1 end
function done(summary, latency, requests)
  local all = {}
  for _, t in ipairs(threads) do
    for code, n in pairs(t:get("statuses")) do all[code] = (all[code] or 0) + n end
  end
  local parts = {}
  for code, n in pairs(all) do table.insert(parts, string.format("\\"%d\\": %d", code, n)) end
  io.write(string.format("JSON {\\"p50\\": %f, \\"p99\\": %f, \\"timeouts\\": %d, \\"statuses\\": {%s}}\\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, summary.errors.timeout, table.concat(parts, ", ")))
end""")
    open(lua_path, "w").write("\n".join(lines))
    threads = min(2, clients)
    return ["wrk", "-t", str(threads), "-c", str(clients), "-d", f"{seconds}s", "--timeout", "30s",
            "-s", lua_path, base + path]


def wrk_result(out):
    """(requests/s, p50 ms, p99 ms, answers that were not 2xx or never came, statuses)."""
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    stats = json.loads(out.split("JSON ", 1)[1].splitlines()[0])
    statuses = {int(k): v for k, v in stats["statuses"].items()}
    bad = sum(n for code, n in statuses.items() if not 200 <= code <= 299) + stats["timeouts"]
    return rps, stats["p50"], stats["p99"], bad, statuses


def wrk(base, method, path, headers, body, clients, seconds, script_dir):
    return wrk_result(run(wrk_command(base, method, path, headers, body, clients, seconds,
                                      os.path.join(script_dir, "req.lua"))))


def headers_for(server, user, sessions):
    if user is None:
        return {}
    if user not in sessions:
        sessions[user] = server.login(user)
    cookie, csrf = sessions[user]
    return {"Cookie": cookie, "X-CSRF-Token": csrf}


def build_databases(args, tmp):
    urls = {}
    d = os.path.join(tmp, "demo")
    run([AFTER, "demo", "--data-dir", d, "--no-serve", "--hotline-cases", str(args.hotline_cases)])
    urls["SQLite"] = f"sqlite://{d}/jixiao.sqlite"
    if not args.skip_postgres:
        run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c", f"DROP DATABASE IF EXISTS {PG_DB}"])
        run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c", f"CREATE DATABASE {PG_DB}"])
        url = f"{PG}/{PG_DB}"
        run([AFTER, "--database", url, "demo", "--no-serve", "--hotline-cases", str(args.hotline_cases)])
        urls["PostgreSQL"] = url
    return urls


def long_import(binary, url, cases):
    """Starts a long hotline import (one transaction holding the write lock) in the background."""
    return subprocess.Popen([binary, "--database", url, "hotline", "generate", "--cases", str(cases),
                             "--seed", str(int(time.time()))],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def measure(args):
    before = build_before(args.before)
    tmp = tempfile.mkdtemp(prefix="jixiao-bench-server-")
    urls = build_databases(args, tmp)
    builds = [("before", before), ("after", AFTER)]
    rows = []       # (backend, request, clients, {build: (rps, p50, p99, errors)})
    during = []     # (backend, request, {build: (rps, p50, p99, errors)})
    for backend, url in urls.items():
        for name, method, path, user, body in REQUESTS:
            for clients in args.clients:
                results = {}
                for build, binary in builds:
                    server = Server(binary, url)
                    try:
                        h = headers_for(server, user, {})
                        wrk(server.base, method, path, h, body, clients, 2, tmp)  # warm-up
                        results[build] = wrk(server.base, method, path, h, body, clients, args.seconds, tmp)
                    finally:
                        server.stop()
                    r = results[build]
                    print(f"{backend:10} {name:22} {clients:3} clients {build:6}: "
                          f"{r[0]:9.0f} req/s  p50 {r[1]:7.1f} ms  p99 {r[2]:8.1f} ms  not-2xx {r[3]}", flush=True)
                rows.append((backend, name, clients, results))
        # Reads by many and writes by a few while another process imports hotline cases in one
        # long transaction: the reads must go on; the writes must answer (busy), not hang or fail.
        results = {}
        for build, binary in builds:
            server = Server(binary, url)
            try:
                read = REQUESTS[1]
                write = REQUESTS[4]
                rh = headers_for(server, read[3], {})
                wh = headers_for(server, write[3], {})
                importer = long_import(AFTER, url, args.import_cases)
                time.sleep(3)  # the import has begun its transaction
                seconds = max(args.seconds, 15)
                reads = subprocess.Popen(wrk_command(server.base, read[1], read[2], rh, None, 16, seconds,
                                                     os.path.join(tmp, "read.lua")),
                                         stdout=subprocess.PIPE, text=True)
                writes = subprocess.Popen(wrk_command(server.base, write[1], write[2], wh, write[4], 2, seconds,
                                                      os.path.join(tmp, "write.lua")),
                                          stdout=subprocess.PIPE, text=True)
                r_out, _ = reads.communicate()
                w_out, _ = writes.communicate()
                still = importer.poll() is None
                importer.kill()
                importer.wait()
                if not still:
                    print("  (the import ended before the measurement did: raise --import-cases)", flush=True)
                results[build] = (wrk_result(r_out), wrk_result(w_out))
            finally:
                server.stop()
            (rr, wr) = results[build]
            print(f"{backend:10} during import {build:6}: reads {rr[0]:7.0f} req/s p99 {rr[2]:8.1f} ms "
                  f"not-2xx {rr[3]}; writes {wr[4]} (+{wr[3] - sum(n for c, n in wr[4].items() if not 200 <= c <= 299)} "
                  f"without an answer)", flush=True)
        during.append((backend, results))
    shutil.rmtree(tmp, ignore_errors=True)
    if not args.skip_postgres:
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c", f"DROP DATABASE IF EXISTS {PG_DB}"],
                       capture_output=True)
    return rows, during


def table(rows, during, args):
    out = [f"Measured by `scripts/bench-server.py` on {time.strftime('%Y-%m-%d')} "
           f"({os.cpu_count()} cores; wrk on the same machine, {args.seconds} s per cell after a 2 s warm-up; "
           f"demo database with {args.hotline_cases} hotline cases; *before* = {args.before}, *after* = this tree; "
           "both builds serve the same database). Requests/s, then p50 / p99 latency in ms; "
           "non-2xx answers are shown where there were any.", "",
           "| database | request | clients | before: req/s | before: p50 / p99 | after: req/s | after: p50 / p99 | after ÷ before |",
           "|---|---|---:|---:|---:|---:|---:|---:|"]
    def cell(r):
        rps, p50, p99, err, _ = r
        extra = f" ({err} non-2xx)" if err else ""
        return f"{rps:,.0f}{extra}", f"{p50:,.1f} / {p99:,.1f}"
    for backend, name, clients, res in rows:
        b, a = res["before"], res["after"]
        out.append(f"| {backend} | {name} | {clients} | {cell(b)[0]} | {cell(b)[1]} | {cell(a)[0]} | {cell(a)[1]} | "
                   f"{a[0] / b[0]:.2f}× |")
    out += ["", f"During a long import (another process writing generated hotline cases in one transaction, "
            "holding the write lock), 16 clients read the JSON ranking while 2 clients write values, "
            f"{max(args.seconds, 15)} s; the scheduled jobs look for work every 5 s (60 s by default) so that "
            "their writes fall inside the window:", "",
            "| database | build | reads: req/s | reads: p99 ms | reads not answered 2xx | writes answered (by status) | writes without an answer |",
            "|---|---|---:|---:|---:|---|---:|"]
    for backend, res in during:
        for build in ("before", "after"):
            rr, wr = res[build]
            answered = ", ".join(f"{code}: {n}" for code, n in sorted(wr[4].items())) or "none"
            unanswered = wr[3] - sum(n for c, n in wr[4].items() if not 200 <= c <= 299)
            out.append(f"| {backend} | {build} | {rr[0]:,.0f} | {rr[2]:,.1f} | {rr[3]} | {answered} | {unanswered} |")
    return "\n".join(out) + "\n"


def write_doc(text):
    path = os.path.join(ROOT, "docs", "benchmarks.md")
    doc = open(path).read()
    start, end = "<!-- bench-server:start -->", "<!-- bench-server:end -->"
    block = f"{start}\n{text}{end}"
    if start in doc:
        doc = re.sub(re.escape(start) + ".*?" + re.escape(end), lambda _: block, doc, flags=re.S)
    else:
        doc = doc.rstrip() + "\n\n## Server under load\n\n" + block + "\n"
    open(path, "w").write(doc)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--before", default=DEFAULT_BEFORE, help="baseline revision (git)")
    ap.add_argument("--clients", type=int, action="append", help="concurrent clients (repeatable; default 1, 16, 64)")
    ap.add_argument("--seconds", type=int, default=8, help="seconds per measurement")
    ap.add_argument("--hotline-cases", type=int, default=0, help="hotline cases in the demo database")
    ap.add_argument("--import-cases", type=int, default=1_500_000, help="cases of the long import (it must outlast the measurement)")
    ap.add_argument("--skip-postgres", action="store_true")
    ap.add_argument("--no-write", action="store_true", help="print the table, leave docs/benchmarks.md alone")
    args = ap.parse_args()
    args.clients = args.clients or [1, 16, 64]
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install wrk")
    if not os.path.exists(AFTER):
        sys.exit("build this tree first: cargo build --release -p jixiao")
    rows, during = measure(args)
    text = table(rows, during, args)
    print(text)
    if not args.no_write:
        write_doc(text)


if __name__ == "__main__":
    main()
