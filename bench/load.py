"""The load benchmark behind bench/run (standard library only).

Starts ecrscan and the three peers in turn, each on a free loopback port with
the same signing secret, and drives each with the same tools and the same
signed `/ecrscan help` request:

- throughput: wrk, -t2 -c64, for SECONDS seconds, after a short warm-up;
- latency at a fixed rate: oha -q RATE --latency-correction for SECONDS seconds
  (wrk cannot hold a fixed rate; oha measures from each request's scheduled
  start, so a stall is not hidden by the requests it held back);
- RSS from /proc/PID/status: VmRSS once it answers and has idled for 2 s
  ("idle"), VmHWM after both runs ("peak").

Requests are signed with a timestamp taken just before each run, so it is
well inside Slack's 5-minute window for the whole run; every server must answer
the same request repeatedly (none keeps a replay cache for slash commands).
Any answer other than 200 fails the benchmark.

Writes the results between the markers of BENCHMARKS.md and prints them.
"""

import argparse
import hashlib
import hmac
import json
import os
import platform
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

SECRET = "bench-signing-secret-0123456789ab"
START = "<!-- bench/run: start -->"
END = "<!-- bench/run: end -->"


def command_body(text):
    return urllib.parse.urlencode(
        {
            "token": "deprecated-verification-token",
            "team_id": "T0BENCH",
            "team_domain": "bench",
            "channel_id": "C0BENCH",
            "channel_name": "bench",
            "user_id": "U0BENCH",
            "user_name": "bench",
            "command": "/ecrscan",
            "text": text,
            "api_app_id": "A0BENCH",
            "response_url": "http://127.0.0.1:9/commands/T0BENCH/1/secret",
            "trigger_id": "1.2.3",
        }
    )


BODY = command_body("help")


def signed_headers(body):
    timestamp = str(int(time.time()))
    base = f"v0:{timestamp}:{body}".encode()
    signature = "v0=" + hmac.new(SECRET.encode(), base, hashlib.sha256).hexdigest()
    return {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": signature,
    }


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def post_help(port, headers=None):
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/slack/commands",
        data=BODY.encode(),
        headers=headers or signed_headers(BODY),
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.status, response.read()


def proc_status(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024  # MiB
    raise RuntimeError(f"{field} not in /proc/{pid}/status")


class Server:
    def __init__(self, name, label, argv, env, cwd, log_dir):
        self.name, self.label = name, label
        self.port = free_port()
        env = {"PATH": os.environ["PATH"], "PORT": str(self.port), **env}
        self.log = open(os.path.join(log_dir, f"{name}.log"), "w")
        self.process = subprocess.Popen(
            argv, env=env, cwd=cwd, stdout=self.log, stderr=subprocess.STDOUT
        )

    def wait_ready(self):
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited; see {self.log.name}")
            try:
                status, body = post_help(self.port)
                if status == 200:
                    return body
            except (urllib.error.URLError, ConnectionError, OSError):
                pass
            time.sleep(0.1)
        raise RuntimeError(f"{self.name} did not answer within 60 s; see {self.log.name}")

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


def wrk_script(path):
    headers = signed_headers(BODY)
    lines = ['wrk.method = "POST"', f"wrk.body = {json.dumps(BODY)}"]
    lines += [f"wrk.headers[{json.dumps(k)}] = {json.dumps(v)}" for k, v in headers.items()]
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def wrk_seconds(value, unit):
    return float(value) * {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}[unit]


def run_wrk(port, seconds, script):
    wrk_script(script)
    out = subprocess.run(
        ["wrk", "-t2", "-c64", f"-d{seconds}s", "--latency", "-s", script,
         f"http://127.0.0.1:{port}/slack/commands"],
        check=True, capture_output=True, text=True,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    total = int(re.search(r"(\d+) requests in", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    if bad or errors:
        raise RuntimeError(f"wrk saw failures:\n{out}")
    percentile = {
        p: wrk_seconds(v, u)
        for p, v, u in re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s|m)$", out, re.M)
    }
    return {"rate": rate, "requests": total, "p50": percentile["50"], "p99": percentile["99"]}


def run_oha(oha, port, seconds, rate):
    args = [oha, "-z", f"{seconds}s", "-q", str(rate), "-c", "32", "-w", "--latency-correction",
            "--no-tui", "--output-format", "json", "-m", "POST", "-d", BODY]
    for k, v in signed_headers(BODY).items():
        args += ["-H", f"{k}: {v}"]
    args.append(f"http://127.0.0.1:{port}/slack/commands")
    result = json.loads(subprocess.run(args, check=True, capture_output=True, text=True).stdout)
    codes = result.get("statusCodeDistribution", {})
    errors = result.get("errorDistribution", {})
    if set(codes) - {"200"} or errors:
        raise RuntimeError(f"oha saw failures: {codes} {errors}")
    summary, percentiles = result["summary"], result["latencyPercentiles"]
    return {
        "rate": summary["requestsPerSec"],
        "requests": codes.get("200", 0),
        "p50": percentiles["p50"],
        "p99": percentiles["p99"],
    }


def measure(server, oha, seconds, rate, repeat, work):
    print(f"== {server.label}", flush=True)
    try:
        server.wait_ready()
        time.sleep(2)
        idle = proc_status(server.process.pid, "VmRSS")
        script = os.path.join(work, "help.lua")
        run_wrk(server.port, 3, script)  # warm-up: a JIT's first requests, cold caches
        runs = sorted((run_wrk(server.port, seconds, script) for _ in range(repeat)),
                      key=lambda r: r["rate"])
        throughput = runs[len(runs) // 2]  # the median run
        throughput["range"] = (runs[0]["rate"], runs[-1]["rate"])
        rates = " ".join(f"{r['rate']:.0f}" for r in runs)
        print(f"   wrk: {rates} req/s", flush=True)
        fixed = run_oha(oha, server.port, seconds, rate)
        print(f"   oha at {rate}/s: p50 {fixed['p50'] * 1e3:.2f} ms, "
              f"p99 {fixed['p99'] * 1e3:.2f} ms", flush=True)
        peak = proc_status(server.process.pid, "VmHWM")
    finally:
        server.stop()
    return {"label": server.label, "idle_rss": idle, "peak_rss": peak,
            "throughput": throughput, "fixed": fixed}


def sh(command):
    return subprocess.run(command, shell=True, capture_output=True, text=True).stdout.strip()


def cpu_stat():
    """The machine's CPU ticks: (total, idle, steal)."""
    with open("/proc/stat") as f:
        fields = [int(v) for v in f.readline().split()[1:]]
    return sum(fields), fields[3] + fields[4], fields[7] if len(fields) > 7 else 0


def machine():
    cpu = sh("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2").strip()
    memory = sh("free -h | awk '/^Mem:/ {print $2}'")
    return {
        "nproc": sh("nproc"),
        "cpu": cpu,
        "memory": memory,
        "kernel": platform.release(),
        "load": sh("cut -d' ' -f1-3 /proc/loadavg"),
    }


def cpu_times():
    """CPU ticks used so far by each process, with its name."""
    times = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        times[pid] = (name, int(fields[11]) + int(fields[12]))
    return times


def busy_processes(seconds=2.0):
    """Processes that used more than 5 % of a core over the next `seconds` (another
    session's build or tests, say), busiest first."""
    before = cpu_times()
    time.sleep(seconds)
    after = cpu_times()
    ticks = os.sysconf("SC_CLK_TCK") * seconds
    busy = []
    for pid, (name, used) in after.items():
        share = (used - before.get(pid, (name, used))[1]) / ticks * 100
        if share >= 5:
            busy.append((share, name))
    busy.sort(reverse=True)
    return ", ".join(f"{name} {share:.0f} %" for share, name in busy) or "none"


def table(results, e2e, binary_mb, rate):
    by = {r["label"]: r for r in results}
    ours, ceiling = by["ecrscan"], by["axum-minimal (ceiling)"]
    bolts = [r for r in results if r["label"].startswith("Bolt")]
    fastest_bolt = max(bolts, key=lambda r: r["throughput"]["rate"])
    ms = lambda s: f"{s * 1e3:.2f}"
    lines = [
        f"| server | throughput (req/s, median) | range | ecrscan ÷ this | p50 at {rate}/s (ms) | p99 at {rate}/s (ms) | idle RSS (MiB) | peak RSS (MiB) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        ratio = ours["throughput"]["rate"] / r["throughput"]["rate"]
        lines.append(
            f"| {r['label']} | {r['throughput']['rate']:,.0f} | "
            f"{r['throughput']['range'][0]:,.0f}–{r['throughput']['range'][1]:,.0f} | {ratio:.2f}× | "
            f"{ms(r['fixed']['p50'])} | {ms(r['fixed']['p99'])} | "
            f"{r['idle_rss']:.1f} | {r['peak_rss']:.1f} |"
        )
    speedup = ours["throughput"]["rate"] / fastest_bolt["throughput"]["rate"]
    of_ceiling = ours["throughput"]["rate"] / ceiling["throughput"]["rate"]
    p99 = ours["fixed"]["p99"] * 1e3
    mark = lambda ok: "met" if ok else "**missed**"
    headroom = ceiling["throughput"]["rate"] / fastest_bolt["throughput"]["rate"]
    targets = [
        "| target | measured | |",
        "|---|---|---|",
        f"| help ≥ 10× the faster Bolt ({fastest_bolt['label']}) | {speedup:.1f}× "
        f"(the axum ceiling itself is {headroom:.1f}×) | {mark(speedup >= 10)} |",
        f"| help ≥ 80 % of the axum ceiling | {of_ceiling * 100:.0f} % | {mark(of_ceiling >= 0.8)} |",
        f"| p99 < 5 ms at {rate} req/s | {p99:.2f} ms | {mark(p99 < 5)} |",
        f"| idle RSS < 30 MB | {ours['idle_rss']:.1f} MiB | {mark(ours['idle_rss'] * 1.048576 < 30)} |",
    ]
    if e2e is not None:
        targets.append(
            f"| 2,000-finding notification < 50 ms | {e2e:.1f} ms (median, first scan) | {mark(e2e < 50)} |"
        )
    targets.append(
        f"| release binary < 30 MB | {binary_mb:.1f} MB | {mark(binary_mb < 30)} |"
    )
    return "\n".join(lines), "\n".join(targets)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--ecrscan", required=True)
    parser.add_argument("--axum-minimal", required=True)
    parser.add_argument("--oha", required=True)
    parser.add_argument("--python", required=True, help="the venv's python with slack-bolt")
    parser.add_argument("--no-e2e", action="store_true",
                        help="skip `cargo bench --bench notification`")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rate", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3, help="wrk runs per server (median)")
    parser.add_argument("--wait-quiet", type=int, default=300,
                        help="seconds to wait for other processes to go quiet before starting")
    parser.add_argument("--markdown", default="BENCHMARKS.md")
    args = parser.parse_args()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    peers = os.path.join(root, "bench", "peers")
    busy = busy_processes()
    deadline = time.time() + args.wait_quiet
    while busy != "none" and time.time() < deadline:
        print(f"waiting for a quiet machine (busy: {busy})", flush=True)
        busy = busy_processes(5.0)
    before = machine()
    print(f"machine: {before['nproc']} cores, {before['cpu']}, load {before['load']}; busy: {busy}")
    e2e_lines, e2e_first = [], None
    if not args.no_e2e:
        # Built beforehand by bench/run, so this only runs it.
        out = subprocess.run(["cargo", "bench", "--bench", "notification"], cwd=root,
                             check=True, capture_output=True, text=True).stdout
        print(out, end="", flush=True)
        e2e_lines = [l.strip() for l in out.splitlines() if "messages; last message taken" in l]
        for line in e2e_lines:
            if line.startswith("first_scan"):
                e2e_first = float(re.search(r"median ([\d.]+) ms", line).group(1))

    stat_before = cpu_stat()
    work = tempfile.mkdtemp(prefix="ecrscan-bench-")
    help_json = os.path.join(work, "help.json")
    base = {"SLACK_SIGNING_SECRET": SECRET}
    ecrscan_env = {
        **base,
        "SLACK_BOT_TOKEN": "xoxb-bench",
        # A closed loopback port: help needs no Slack call, and nothing may leave the machine.
        "SLACK_API_URL": "http://127.0.0.1:9/api/",
        "DATABASE_URL": f"sqlite://{work}/ecrscan.db",
        "AWS_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "RUST_LOG": "info",
    }
    results = []
    ecrscan = Server("ecrscan", "ecrscan", [args.ecrscan, "serve"], ecrscan_env, work, work)
    with open(help_json, "wb") as f:
        f.write(ecrscan.wait_ready())
    results.append(measure(ecrscan, args.oha, args.seconds, args.rate, args.repeat, work))
    audit_rows = sh(f"{sys.executable} -c \"import sqlite3; print(sqlite3.connect('{work}/ecrscan.db').execute('select count(*) from audit_log').fetchone()[0])\"")
    peer_env = {**base, "HELP_JSON": help_json}
    for name, label, argv, cwd in [
        ("axum-minimal", "axum-minimal (ceiling)", [args.axum_minimal], work),
        ("bolt-js", "Bolt for JavaScript", ["node", "app.js"], os.path.join(peers, "bolt-js")),
        ("bolt-python", "Bolt for Python", [args.python, "app.py"], os.path.join(peers, "bolt-python")),
    ]:
        results.append(measure(Server(name, label, argv, peer_env, cwd, work), args.oha,
                               args.seconds, args.rate, args.repeat, work))
    after = machine()
    stat_after = cpu_stat()
    busy_after = busy_processes()
    total = stat_after[0] - stat_before[0]
    steal = (stat_after[2] - stat_before[2]) / total * 100

    binary_mb = os.path.getsize(args.ecrscan) / 1e6
    results_table, targets_table = table(results, e2e_first, binary_mb, args.rate)
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    versions = sh(f"node --version") + ", " + sh(f"{args.python} --version") + ", " + sh("rustc --version")
    section = f"""{START}
Run {when} by `bench/run` ({args.seconds} s per run; wrk -t2 -c64 for throughput, median of {args.repeat} runs,
oha -q {args.rate} -c32 --latency-correction for latency; load tool and servers share the machine).

Machine: {before['nproc']} cores ({before['cpu']}), {before['memory']} memory, Linux {before['kernel']};
load average {before['load']} before, {after['load']} after; processes busy over 2 s
before the runs: {busy}; after: {busy_after}. CPU time stolen by the hypervisor
during the runs: {steal:.1f} %.
Toolchains: {versions}.

{results_table}

ecrscan wrote {int(audit_rows or 0):,} audit-log rows to SQLite during its runs (none expected: `help` is read-only, and only commands that change something are audited); the peers store nothing.

{targets_table}

End to end (`cargo bench --bench notification`):

{chr(10).join('    ' + l for l in e2e_lines) if e2e_lines else '    (not run)'}
{END}"""
    print()
    print(section)
    path = os.path.join(root, args.markdown)
    text = open(path).read() if os.path.exists(path) else f"# Benchmarks\n\n{START}\n{END}\n"
    if START in text and END in text:
        text = text[: text.index(START)] + section + text[text.index(END) + len(END):]
    else:
        text += "\n" + section + "\n"
    with open(path, "w") as f:
        f.write(text)
    print(f"\nwritten to {path}")


if __name__ == "__main__":
    main()
