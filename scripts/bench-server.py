#!/usr/bin/env python3
"""Server load benchmark: requests/s and latency (p50, p99) of jixiao's pages and JSON reads at
1, 16 and 64 concurrent clients, with /health of the same instance measured the same way in the
same run, and reads during a long hotline import; wrk on 127.0.0.1.

The database is the city-sized demo (`jixiao demo --units 420`: the task book's 17 units, 343
streets and 60 departments, synthetic values for every period) with a year of generated hotline
cases, on SQLite and on PostgreSQL. Results go into docs/benchmarks.md between the bench-server
markers, next to the figures the speed issue reported when it was filed (the build before the
scorecard cache, rollup-only dashboard and compression), where it reported them.

Needs: wrk (apt-get install wrk), target/release/jixiao (cargo build --release -p jixiao),
PostgreSQL at 127.0.0.1:5432 (user postgres, trust) unless --skip-postgres.

  scripts/bench-server.py                    # everything (about 30 minutes on 2 cores)
  scripts/bench-server.py --seconds 5 --clients 1 --clients 64 --skip-postgres --hotline-cases 100000

With --dashboard LABEL=URL (repeatable) it measures only the hotline dashboard (city and one
district) and /health at 1 and 64 clients on existing hotline databases, e.g. the 25 M-case ones
scripts/bench-hotline.py leaves behind, adding an account `bench-admin` to each if it has none;
the table goes between the bench-dashboard markers:

  scripts/bench-server.py --dashboard SQLite=/tmp/bh/h-25000000.sqlite \
      --dashboard PostgreSQL=postgres://postgres@127.0.0.1:5432/jixiao_bench
"""
import argparse, json, os, re, shutil, signal, socket, subprocess, sys, tempfile, time, urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BINARY = os.path.join(ROOT, "target", "release", "jixiao")
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
    ("rankings page", "GET", "/rankings", "admin", None),
    ("unit page", "GET", "/units/dongcheng", "admin", None),
    ("hotline dashboard (city)", "GET", "/hotline", "admin", None),
    ("hotline dashboard (a district)", "GET", "/hotline?district=dongcheng", "admin", None),
    ("case list", "GET", "/hotline/cases", "admin", None),
    ("case list, one month", "GET", "/hotline/cases?month=2020-03", "admin", None),
    ("login page", "GET", "/login", None, None),
    # A08-2 has no Q4 value for dongcheng in the demo, so the draft can be saved again and again
    # (A23-1's Q4 is approved: writing a draft over it is refused, which measured 422s).
    ("value write (JSON)", "PUT", "/api/v1/cycles/2020/units/dongcheng/values/A08-2/Q4", "dongcheng",
     '{"value": 35.5, "note": "bench", "submit": false}'),
]
PASSWORDS = {"admin": "demo-admin-2020", "dongcheng": "demo-dongcheng-2020",
             "bench-admin": "quiet river lantern 2020 bench"}

# What the speed issue measured when it was filed (demo with 17 units and 1 M cases, SQLite,
# release build, 2 cores): request -> {clients: (req/s, p99 ms or None)}.
FILED = {
    "/health": {1: (19860, None), 64: (48442, 33)},
    "JSON ranking": {1: (302, None), 64: (337, 244)},
    "a unit's JSON scores": {1: (318, None), 64: (300, 289)},
    "rankings page": {1: (185, None), 64: (256, 396)},
    "unit page": {1: (79, None), 64: (83, 1056)},
    "overview page": {1: (26, 289), 64: (21, 4664)},
    "hotline dashboard (city)": {1: (0.25, None)},
}


def run(cmd, **kw):
    p = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if p.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{p.stdout}\n{p.stderr}")
    return p.stdout


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
    demo = ["demo", "--no-serve", "--hotline-cases", str(args.hotline_cases), "--units", str(args.units)]
    t = time.time()
    run([BINARY, *demo, "--data-dir", d])
    print(f"SQLite demo built in {time.time() - t:.0f} s", flush=True)
    urls["SQLite"] = f"sqlite://{d}/jixiao.sqlite"
    if not args.skip_postgres:
        run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c", f"DROP DATABASE IF EXISTS {PG_DB}"])
        run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c", f"CREATE DATABASE {PG_DB}"])
        url = f"{PG}/{PG_DB}"
        t = time.time()
        run([BINARY, "--database", url, *demo])
        print(f"PostgreSQL demo built in {time.time() - t:.0f} s", flush=True)
        urls["PostgreSQL"] = url
    return urls


def long_import(binary, url, cases):
    """Starts a long hotline import (one transaction holding the write lock) in the background, at
    the lowest CPU priority (`nice -n 19`), as docs/operations.md advises for bulk work on a
    machine that also serves."""
    return subprocess.Popen(["nice", "-n", "19", binary, "--database", url, "hotline", "generate", "--cases", str(cases),
                             "--seed", str(int(time.time()))],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def measure(args):
    tmp = tempfile.mkdtemp(prefix="jixiao-bench-server-")
    urls = build_databases(args, tmp)
    rows = []       # (backend, request, clients, (rps, p50, p99, errors, statuses))
    during = []     # (backend, reads, health, writes)
    for backend, url in urls.items():
        server = Server(BINARY, url)
        try:
            sessions = {}
            for name, method, path, user, body in REQUESTS:
                h = headers_for(server, user, sessions)
                if body:
                    # A write the server refuses would measure refusals: one must succeed first.
                    req = urllib.request.Request(server.base + path, method=method, data=body.encode(),
                                                 headers={**h, "content-type": "application/json"})
                    try:
                        urllib.request.urlopen(req, timeout=30).read()
                    except urllib.error.HTTPError as e:
                        sys.exit(f"{name}: {method} {path} answers {e.code}: {e.read()[:300]!r}")
                wrk(server.base, method, path, h, body, 4, 2, tmp)  # warm-up
                for clients in args.clients:
                    r = wrk(server.base, method, path, h, body, clients, args.seconds, tmp)
                    print(f"{backend:10} {name:32} {clients:3} clients: {r[0]:9.0f} req/s  p50 {r[1]:7.1f} ms  "
                          f"p99 {r[2]:8.1f} ms  not-2xx {r[3]}", flush=True)
                    rows.append((backend, name, clients, r))
            # Pages, JSON and /health read by many while another process imports hotline cases
            # in one long transaction (holding the write lock); a few clients write values.
            read = REQUESTS[1]
            write = REQUESTS[-1]
            rh = headers_for(server, read[3], sessions)
            wh = headers_for(server, write[3], sessions)
            importer = long_import(BINARY, url, args.import_cases)
            time.sleep(3)  # the import has begun its transaction
            seconds = max(args.seconds, 15)
            procs = [subprocess.Popen(wrk_command(server.base, m, p, hh, b, c, seconds, os.path.join(tmp, f"{i}.lua")),
                                      stdout=subprocess.PIPE, text=True)
                     for i, (m, p, hh, b, c) in enumerate([
                         (read[1], read[2], rh, None, 16),
                         ("GET", "/health", {}, None, 16),
                         (write[1], write[2], wh, write[4], 2)])]
            outs = [wrk_result(p.communicate()[0]) for p in procs]
            still = importer.poll() is None
            importer.kill()
            importer.wait()
            if not still:
                print("  (the import ended before the measurement did: raise --import-cases)", flush=True)
            print(f"{backend:10} during import: reads {outs[0][0]:7.0f} req/s p99 {outs[0][2]:8.1f} ms; "
                  f"/health p99 {outs[1][2]:.1f} ms; writes {outs[2][4]}", flush=True)
            during.append((backend, *outs))
        finally:
            server.stop()
    shutil.rmtree(tmp, ignore_errors=True)
    if not args.skip_postgres:
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c", f"DROP DATABASE IF EXISTS {PG_DB}"],
                       capture_output=True)
    return rows, during


def table(rows, during, args):
    out = [f"Measured by `scripts/bench-server.py` on {time.strftime('%Y-%m-%d')} "
           f"({os.cpu_count()} cores, release build; wrk on the same machine, {args.seconds} s per cell after a "
           f"2 s warm-up; city-sized demo: {args.units} units with synthetic values for every period and "
           f"{args.hotline_cases:,} hotline cases). One server instance per database; every request "
           "is measured in the same run as `/health` of that instance. *When filed*: what the speed issue "
           "measured before this work (17-unit demo, 1 M cases, SQLite), where it did.", "",
           "| database | request | clients | req/s | p50 ms | p99 ms | when filed: req/s (p99 ms) |",
           "|---|---|---:|---:|---:|---:|---:|"]
    for backend, name, clients, r in rows:
        rps, p50, p99, err, _ = r
        extra = f" ({err} non-2xx)" if err else ""
        filed = FILED.get(name, {}).get(clients) if backend == "SQLite" else None
        was = "—" if not filed else (f"{filed[0]:,}" if filed[0] >= 1 else f"{1 / filed[0]:.1f} s a request") + \
            (f" ({filed[1]:,})" if filed[1] else "")
        out.append(f"| {backend} | {name} | {clients} | {rps:,.0f}{extra} | {p50:,.1f} | {p99:,.1f} | {was} |")
    out += ["", f"During a long import (another process, at `nice -n 19`, writing generated hotline cases in one "
            f"transaction, holding the write lock), 16 clients read the JSON ranking, 16 read `/health` and 2 write values, "
            f"{max(args.seconds, 15)} s:", "",
            "| database | JSON ranking: req/s | p99 ms | /health: req/s | p99 ms | writes answered (by status) |",
            "|---|---:|---:|---:|---:|---|"]
    for backend, reads, health, writes in during:
        answered = ", ".join(f"{code}: {n}" for code, n in sorted(writes[4].items())) or "none"
        out.append(f"| {backend} | {reads[0]:,.0f} | {reads[2]:,.1f} | {health[0]:,.0f} | {health[2]:,.1f} | {answered} |")
    return "\n".join(out) + "\n"


def write_doc(text, marker="bench-server", heading="Server under load"):
    path = os.path.join(ROOT, "docs", "benchmarks.md")
    doc = open(path).read()
    start, end = f"<!-- {marker}:start -->", f"<!-- {marker}:end -->"
    block = f"{start}\n{text}{end}"
    if start in doc:
        doc = re.sub(re.escape(start) + ".*?" + re.escape(end), lambda _: block, doc, flags=re.S)
    else:
        doc = doc.rstrip() + f"\n\n## {heading}\n\n" + block + "\n"
    open(path, "w").write(doc)


def dashboards(args):
    """The hotline dashboard on existing hotline databases: (label, cases, rows)."""
    out = []
    tmp = tempfile.mkdtemp(prefix="jixiao-bench-dashboard-")
    requests = [("/health", "/health", None), ("hotline dashboard (city)", "/hotline", "bench-admin"),
                ("hotline dashboard (a district)", "/hotline?district=dongcheng", "bench-admin")]
    for spec in args.dashboard:
        label, url = spec.split("=", 1)
        subprocess.run([BINARY, "--database", url, "user", "add", "--id", "bench-admin", "--name", "测量",
                        "--role", "admin", "--password", PASSWORDS["bench-admin"]], capture_output=True)
        server = Server(BINARY, url)
        try:
            sessions = {}
            rows = []
            for name, path, user in requests:
                h = headers_for(server, user, sessions)
                t = time.time()
                urllib.request.urlopen(urllib.request.Request(server.base + path, headers=h), timeout=600).read()
                first = (time.time() - t) * 1000
                wrk(server.base, "GET", path, h, None, 4, 2, tmp)  # warm-up
                for clients in (1, 64):
                    r = wrk(server.base, "GET", path, h, None, clients, args.seconds, tmp)
                    print(f"{label:10} {name:32} {clients:3} clients: {r[0]:9.0f} req/s  p50 {r[1]:7.1f} ms  "
                          f"p99 {r[2]:8.1f} ms  not-2xx {r[3]}  (first view {first:.0f} ms)", flush=True)
                    rows.append((name, clients, r, first))
            out.append((label, url, rows))
        finally:
            server.stop()
    shutil.rmtree(tmp, ignore_errors=True)
    return out


def dashboard_table(results, args):
    out = [f"Measured by `scripts/bench-server.py --dashboard` on {time.strftime('%Y-%m-%d')} ({os.cpu_count()} cores, "
           f"release build; wrk on the same machine, {args.seconds} s per cell after a 2 s warm-up) on the hotline "
           "databases `scripts/bench-hotline.py` left (generated cases, no cycle). *First view*: the first request "
           "after the server started, which builds the dashboard from the rollups; later ones are kept until the "
           "next hotline write.", "",
           "| database | request | clients | req/s | p50 ms | p99 ms | first view ms |", "|---|---|---:|---:|---:|---:|---:|"]
    for label, _, rows in results:
        for name, clients, r, first in rows:
            rps, p50, p99, err, _ = r
            extra = f" ({err} non-2xx)" if err else ""
            out.append(f"| {label} | {name} | {clients} | {rps:,.0f}{extra} | {p50:,.1f} | {p99:,.1f} | "
                       f"{first:,.0f} |")
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--units", type=int, default=420, help="units of the demo cycle (city size: 420)")
    ap.add_argument("--clients", type=int, action="append", help="concurrent clients (repeatable; default 1, 16, 64)")
    ap.add_argument("--seconds", type=int, default=8, help="seconds per measurement")
    ap.add_argument("--hotline-cases", type=int, default=1_000_000, help="hotline cases in the demo database")
    ap.add_argument("--import-cases", type=int, default=1_500_000, help="cases of the long import (it must outlast the measurement)")
    ap.add_argument("--skip-postgres", action="store_true")
    ap.add_argument("--no-write", action="store_true", help="print the table, leave docs/benchmarks.md alone")
    ap.add_argument("--dashboard", action="append", metavar="LABEL=URL",
                    help="measure only the hotline dashboard on this existing hotline database (repeatable)")
    args = ap.parse_args()
    args.clients = args.clients or [1, 16, 64]
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install wrk")
    if not os.path.exists(BINARY):
        sys.exit("build this tree first: cargo build --release -p jixiao")
    if args.dashboard:
        text = dashboard_table(dashboards(args), args)
        print(text)
        if not args.no_write:
            write_doc(text, "bench-dashboard", "Hotline dashboard at 25 M cases")
        return
    rows, during = measure(args)
    text = table(rows, during, args)
    print(text)
    if not args.no_write:
        write_doc(text)


if __name__ == "__main__":
    main()
