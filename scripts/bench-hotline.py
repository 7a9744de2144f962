#!/usr/bin/env python3
"""Hotline (接诉即办) benchmark: jixiao against DuckDB and Polars in the same run.

For each size (--cases, repeatable) it generates cases with `jixiao hotline generate`, then measures
  (a) loading: jixiao's import into SQLite and PostgreSQL, DuckDB's and Polars' CSV read;
  (b) the monthly district ranking and a dashboard slice (one district's streets, one category):
      jixiao from its rollups, DuckDB and Polars recomputing from the raw cases;
  (c) a full rebuild of the rollups (unit x month x category) from raw cases;
with wall time and peak memory of each process, checks that all three give the same district
scores, and writes the table into docs/benchmarks.md between the hotline markers.

Needs: target/release/jixiao (cargo build --release), Python packages duckdb and polars,
PostgreSQL at 127.0.0.1:5432 (user postgres) unless --skip-postgres.
"""
import argparse, json, os, resource, subprocess, sys, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
JIXIAO = os.path.join(ROOT, "target", "release", "jixiao")
MONTH, DISTRICT, CATEGORY = "2020-06", "dongcheng", "01"

def timed(cmd, env=None):
    """Runs a command; returns (seconds, peak RSS in MB, stdout)."""
    t = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-f", "%M"] + cmd, capture_output=True, text=True, env=env)
    secs = time.perf_counter() - t
    if p.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{p.stdout}\n{p.stderr}")
    rss_kb = int(p.stderr.strip().splitlines()[-1])
    return secs, rss_kb / 1024, p.stdout

ENGINE = r'''
import json, sys, time, resource
engine, path, month, district, category, runs = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], int(sys.argv[6])
out = {}
def median(f):
    ms = []
    for _ in range(runs):
        t = time.perf_counter(); r = f(); ms.append((time.perf_counter() - t) * 1000)
    ms.sort(); return ms[len(ms) // 2], r
W = (10.0, 45.0, 45.0)
if engine == "duckdb":
    import duckdb
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    t = time.perf_counter()
    con.execute(f"""CREATE TABLE raw AS SELECT * FROM read_csv('{path}', header=true, all_varchar=true)""")
    con.execute("""CREATE TABLE cases AS SELECT *,
        strptime(left(received, 19), '%Y-%m-%dT%H:%M:%S') AS received_t,
        CASE WHEN responded <> '' THEN strptime(left(responded, 19), '%Y-%m-%dT%H:%M:%S') END AS responded_t
        FROM raw""")
    con.execute("DROP TABLE raw")
    out["load_s"] = time.perf_counter() - t
    counters = """count(*) AS acc,
        sum(CASE WHEN responded_t IS NOT NULL AND responded_t <= received_t + CASE WHEN urgency = 'urgent' THEN INTERVAL 2 HOUR ELSE INTERVAL 24 HOUR END THEN 1 ELSE 0 END) AS rit,
        sum(CASE WHEN solved <> '' THEN 1 ELSE 0 END) AS cb,
        sum(CASE WHEN solved = 'yes' THEN 1 ELSE 0 END) AS sol,
        sum(CASE WHEN satisfaction IN ('satisfied', 'basically_satisfied') THEN 1 ELSE 0 END) AS sat"""
    month_of = "strftime(received_t + INTERVAL 8 HOUR, '%Y-%m')"
    def ranking(group, where):
        return con.execute(f"""SELECT g, acc, 100 * ({W[0]} * rit / acc + {W[1]} * sol / cb + {W[2]} * sat / cb) / 100 AS score
            FROM (SELECT {group} AS g, {counters} FROM cases WHERE unit IS NOT NULL AND unit <> '' AND {month_of} = '{month}' {where} GROUP BY g)
            ORDER BY round(score, 2) DESC, g""").fetchall()
    out["ranking_ms"], rows = median(lambda: ranking("split_part(unit, '-', 1)", ""))
    out["districts"] = {g: s for g, _, s in rows}
    out["slice_ms"], _ = median(lambda: ranking("unit", f"AND unit LIKE '{district}-%' AND category LIKE '{category}%'"))
    t = time.perf_counter()
    con.execute(f"CREATE TABLE rollups AS SELECT unit, {month_of} AS month, category, {counters} FROM cases WHERE unit IS NOT NULL AND unit <> '' GROUP BY ALL")
    out["rebuild_s"] = time.perf_counter() - t
else:
    import polars as pl
    t = time.perf_counter()
    # Above 5 million cases the data does not fit in memory as strings: read it lazily, so every
    # query scans the CSV again (Polars' streaming engine).
    big = int(sys.argv[7]) > 5_000_000
    df = (pl.scan_csv if big else pl.read_csv)(path, infer_schema_length=0)
    df = df.with_columns(
        pl.col("received").str.strptime(pl.Datetime, "%Y-%m-%dT%H:%M:%SZ").alias("received_t"),
        pl.col("responded").str.strptime(pl.Datetime, "%Y-%m-%dT%H:%M:%SZ", strict=False).alias("responded_t"),
    ).filter(pl.col("unit").is_not_null() & (pl.col("unit") != ""))
    out["load_s"] = time.perf_counter() - t
    if big:
        out["streaming"] = True
    month_expr = (pl.col("received_t") + pl.duration(hours=8)).dt.strftime("%Y-%m")
    due = pl.col("received_t") + pl.when(pl.col("urgency") == "urgent").then(pl.duration(hours=2)).otherwise(pl.duration(hours=24))
    aggs = [
        pl.len().alias("acc"),
        (pl.col("responded_t").is_not_null() & (pl.col("responded_t") <= due)).sum().alias("rit"),
        (pl.col("solved").is_not_null() & (pl.col("solved") != "")).sum().alias("cb"),
        (pl.col("solved") == "yes").sum().alias("sol"),
        pl.col("satisfaction").is_in(["satisfied", "basically_satisfied"]).sum().alias("sat"),
    ]
    def ranking(group, extra):
        q = df.lazy().filter(month_expr == month)
        if extra is not None:
            q = q.filter(extra)
        r = q.group_by(group.alias("g")).agg(aggs).with_columns(
            (100 * (W[0] * pl.col("rit") / pl.col("acc") + W[1] * pl.col("sol") / pl.col("cb") + W[2] * pl.col("sat") / pl.col("cb")) / 100).alias("score")
        ).sort(["score", "g"], descending=[True, False]).collect(engine="streaming" if big else "auto")
        return r
    out["ranking_ms"], r = median(lambda: ranking(pl.col("unit").str.split("-").list.first(), None))
    out["districts"] = dict(zip(r["g"].to_list(), r["score"].to_list()))
    out["slice_ms"], _ = median(lambda: ranking(pl.col("unit"), pl.col("unit").str.starts_with(district + "-") & pl.col("category").str.starts_with(category)))
    t = time.perf_counter()
    df.lazy().group_by([pl.col("unit"), month_expr.alias("month"), pl.col("category")]).agg(aggs).collect(engine="streaming" if big else "auto")
    out["rebuild_s"] = time.perf_counter() - t
out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(out))
'''

def engine(name, csv, runs, n):
    p = subprocess.run([sys.executable, "-c", ENGINE, name, csv, MONTH, DISTRICT, CATEGORY, str(runs), str(n)], capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"{name} failed:\n{p.stderr}")
    return json.loads(p.stdout.strip().splitlines()[-1])

def drop_caches():
    """Empties the OS page cache (needs root); False when not allowed."""
    try:
        subprocess.run(["sync"], check=True)
        with open("/proc/sys/vm/drop_caches", "w") as f:
            f.write("3\n")
        return True
    except OSError:
        return False

def psql(sql):
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-q", "-c", sql], check=True, capture_output=True)

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", type=int, action="append", help="sizes (default 1000000)")
    ap.add_argument("--workdir", default=os.path.join(ROOT, "target", "bench-hotline"))
    ap.add_argument("--skip-postgres", action="store_true")
    ap.add_argument("--postgres-up-to", type=int, default=None, help="measure PostgreSQL only for sizes up to this")
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--output", default=os.path.join(ROOT, "docs", "benchmarks.md"))
    ap.add_argument("--reuse", action="store_true", help="keep an existing CSV and SQLite database of a size (import not re-measured; give --import-seconds)")
    ap.add_argument("--import-seconds", type=float, default=None)
    ap.add_argument("--from-rows-up-to", type=int, default=5_000_000, help="also time `rebuild --from-rows` (reads every case row, rewrites the packs) for sizes up to this")
    a = ap.parse_args()
    sizes = a.cases or [1_000_000]
    os.makedirs(a.workdir, exist_ok=True)
    if not os.path.exists(JIXIAO):
        sys.exit("build first: cargo build --release -p jixiao")
    sections = []
    for n in sizes:
        print(f"== {n:,} cases", flush=True)
        csv = os.path.join(a.workdir, f"cases-{n}.csv")
        reuse = a.reuse and os.path.exists(csv) and os.path.exists(os.path.join(a.workdir, f"h-{n}.sqlite"))
        gen_s = float("nan") if reuse else timed([JIXIAO, "hotline", "generate", "--cases", str(n), "--seed", "2020", "-o", csv])[0]
        size_mb = os.path.getsize(csv) / 2**20
        rows = []
        ours = {}
        from_rows = {}
        targets = [("SQLite", os.path.join(a.workdir, f"h-{n}.sqlite"))]
        if not a.skip_postgres and (a.postgres_up_to is None or n <= a.postgres_up_to):
            psql("DROP DATABASE IF EXISTS jixiao_bench"); psql("CREATE DATABASE jixiao_bench")
            targets.append(("PostgreSQL", "postgres://postgres@127.0.0.1:5432/jixiao_bench"))
        for label, db in targets:
            if label == "SQLite" and not reuse:
                for suffix in ("", "-wal", "-shm"):
                    if os.path.exists(db + suffix):
                        os.remove(db + suffix)
            print(f"   jixiao import ({label})", flush=True)
            if reuse and label == "SQLite":
                imp_s, imp_mb = (a.import_seconds or float("nan")), float("nan")
            else:
                imp_s, imp_mb, _ = timed([JIXIAO, "--database", db, "hotline", "import", csv])
            _, q_mb, out = timed([JIXIAO, "--database", db, "hotline", "query-bench", "--month", MONTH, "--district", DISTRICT, "--category", CATEGORY, "--runs", str(a.runs)])
            q = json.loads(out)
            print(f"   jixiao rebuild ({label})", flush=True)
            rebuild = [JIXIAO, "--database", db, "hotline", "rebuild"]
            # Cold: the store's pages on disk, as after a restart (SQLite only: PostgreSQL keeps
            # its own buffers). Warm: the pages in memory, as DuckDB's and Polars' tables are.
            cold_s = timed(rebuild)[0] if label == "SQLite" and drop_caches() else float("nan")
            warm = sorted(timed(rebuild)[:2] for _ in range(3))
            reb_s, reb_mb = warm[1]
            if n <= a.from_rows_up_to:
                print(f"   jixiao rebuild --from-rows ({label})", flush=True)
                from_rows[label] = timed([JIXIAO, "--database", db, "hotline", "rebuild", "--from-rows"])[:2]
            ours[label] = {d["unit"]: d["score"] for d in q["districts"]}
            rows.append((f"jixiao + {label}", imp_s, imp_mb, q["ranking_ms"]["median"], q["slice_ms"]["median"], reb_s, cold_s, reb_mb))
            print(f"   {rows[-1]}", flush=True)
        results = {}
        for name in ("duckdb", "polars"):
            print(f"   {name}", flush=True)
            r = engine(name, csv, a.runs if n <= 5_000_000 else 3, n)
            results[name] = r
            label = "DuckDB" if name == "duckdb" else ("Polars (lazy, streaming from the CSV)" if r.get("streaming") else "Polars")
            rows.append((label, r["load_s"], r["peak_mb"], r["ranking_ms"], r["slice_ms"], r["rebuild_s"], float("nan"), r["peak_mb"]))
            print(f"   {rows[-1]}", flush=True)
        # The same numbers: district scores agree.
        ref = ours["SQLite"]
        diffs = {}
        for name, r in [("PostgreSQL", ours.get("PostgreSQL")), ("DuckDB", results["duckdb"]["districts"]), ("Polars", results["polars"]["districts"])]:
            if r is None:
                continue
            diffs[name] = max(abs(ref[d] - r[d]) for d in ref)
        duck = results["duckdb"]
        best_ours_rank = min(r[3] for r in rows if r[0].startswith("jixiao"))
        best_ours_slice = min(r[4] for r in rows if r[0].startswith("jixiao"))
        best_ours_rebuild = min(r[5] for r in rows if r[0].startswith("jixiao"))
        colds = [r[6] for r in rows if r[0].startswith("jixiao") and r[6] == r[6]]
        lines = [
            f"### {n:,} cases ({size_mb:,.0f} MB CSV" + ("" if gen_s != gen_s else f", generated in {gen_s:.1f} s") + ")",
            "",
            "| engine | load (s) | load peak (MB) | district ranking (ms) | dashboard slice (ms) | full rebuild (s) | rebuild, cold cache (s) | rebuild peak (MB) |",
            "|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for name, load, load_mb, rk, sl, rb, cold, rb_mb in rows:
            fmt = lambda x, f: "—" if x != x else format(x, f)
            lines.append(f"| {name} | {fmt(load, '.1f')} | {fmt(load_mb, ',.0f')} | {rk:.2f} | {sl:.2f} | {rb:.2f} | {fmt(cold, '.2f')} | {rb_mb:,.0f} |")
        lines += [
            "",
            f"Ratios (DuckDB ÷ jixiao's best): ranking {duck['ranking_ms'] / best_ours_rank:,.0f}×, slice {duck['slice_ms'] / best_ours_slice:,.0f}×, "
            f"full rebuild {duck['rebuild_s'] / best_ours_rebuild:.2f}×" + (f" (cold cache: {duck['rebuild_s'] / min(colds):.2f}×)" if colds else "") + " (above 1 means jixiao is faster). "
            f"Largest difference of a district's score from jixiao on SQLite: " + ", ".join(f"{k} {v:.2e}" for k, v in diffs.items()) + ".",
            "",
        ]
        if from_rows:
            lines[-1:-1] = [
                "jixiao's rebuild from the case rows instead of the packs (`rebuild --from-rows`: reads every row, "
                "writes the packs again, sums in SQL): " + ", ".join(f"{k} {s:.2f} s ({mb:,.0f} MB)" for k, (s, mb) in from_rows.items()) + ".",
                "",
            ]
        sections.append("\n".join(lines))
        print("\n".join(lines), flush=True)
    write(a.output, sections)

BEGIN, END = "<!-- hotline benchmark: begin -->", "<!-- hotline benchmark: end -->"

def write(path, sections):
    text = open(path, encoding="utf-8").read() if os.path.exists(path) else "# Benchmarks\n"
    body = "\n".join([
        BEGIN,
        "## Hotline (接诉即办): import, monthly ranking, rebuild — jixiao vs DuckDB and Polars",
        "",
        "`scripts/bench-hotline.py` (release build, this machine: 2 cores). Load: jixiao's import checks every row and",
        "writes cases and rollups in one transaction; DuckDB and Polars read the same CSV into memory. Ranking and slice:",
        "median of repeated runs, each engine as a user of it would ask: jixiao from its rollup counters, DuckDB and",
        "Polars recomputing from the raw cases. Rebuild: all counters per unit × month × category from the stored cases —",
        "jixiao from its case packs (the fields each case's counters depend on, 44 bytes a case, written with the case",
        "row), DuckDB and Polars from their tables of raw cases. DuckDB's and Polars' rebuild computes 5 counters,",
        "jixiao's 14.",
        "jixiao's rebuild is timed twice: with its pages in the OS page cache (median of 3; like DuckDB's and Polars'",
        "tables, which are in their memory) and, on SQLite, with a cold cache (the OS page cache emptied first, as after",
        "a restart: the packs are read from disk, where the import's batches left them between the case rows).",
        "Peak memory is the process's maximum resident set (DuckDB and Polars: one process for everything).",
        "",
    ] + sections + [END])
    if BEGIN in text and END in text:
        # Sizes measured before and not in this run are kept.
        old = text[text.index(BEGIN): text.index(END)]
        kept = [sec for sec in old.split("### ")[1:] if not any(sec.split(" cases")[0] == new.split(" cases")[0].lstrip("# ") for new in sections)]
        kept = ["### " + k.rstrip() + "\n" for k in kept]
        body = body.replace(END, "\n".join(kept) + END) if kept else body
        text = text[: text.index(BEGIN)] + body + text[text.index(END) + len(END):]
    else:
        text = text.rstrip() + "\n\n" + body + "\n"
    open(path, "w", encoding="utf-8").write(text)
    print(f"written: {path}")

if __name__ == "__main__":
    main()
