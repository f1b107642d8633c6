"""Load run: gunicorn on loopback with PostgreSQL, editors autosaving while readers read.

    pg_virtualenv .venv/bin/python bench/load.py            # throwaway PostgreSQL cluster
    DATABASE_URL=postgres://... .venv/bin/python bench/load.py --duration 60

Sets up a fresh database (migrate, seed, --editors extra editors with sessions, drafts for
them), starts gunicorn with ovp_assess/gunicorn.conf.py on 127.0.0.1, then for --duration
seconds runs --editors threads that autosave a criterion (the htmx request the edit page
sends, with the version it was based on; on a conflict they reload and go on) and --readers
threads that open office briefs, the network brief and the comparison page. Prints requests,
errors, p50/p95 latency per kind, lost writes counted in the database afterwards (an
acknowledged save missing from the history or from the final text), and the brief page's
throughput as a ratio to a trivial view (/healthz) under the same concurrency.

Loopback only, bounded in time and threads. Writes into the database it is given: use a
throwaway one.
"""

import argparse
import http.client
import os
import random
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def database_url():
    if os.environ.get("DATABASE_URL"):
        return os.environ["DATABASE_URL"]
    if os.environ.get("PGHOST"):  # inside pg_virtualenv
        e = os.environ
        return (f"postgres://{e['PGUSER']}:{e.get('PGPASSWORD', '')}@{e['PGHOST']}:"
                f"{e.get('PGPORT', '5432')}/{e.get('PGDATABASE', 'postgres')}")
    raise SystemExit("Set DATABASE_URL or run under pg_virtualenv (see the docstring).")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


SERVER_ENV = {
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
    "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
    # Plain HTTP on loopback: no HTTPS redirect, cookies not limited to HTTPS.
    "DJANGO_SECURE_SSL_REDIRECT": "0",
    "DJANGO_SECURE_COOKIES": "0",
    "DJANGO_STATIC_MANIFEST": "0",
    "DJANGO_LOG_LEVEL": "WARNING",
    "DJANGO_DEBUG": "0",
}


def setup(n_editors, n_readers):
    """Fresh data: seed, editors with sessions, their drafts. Returns what the clients need."""
    os.environ.update(SERVER_ENV)
    os.environ["DJANGO_SETTINGS_MODULE"] = "ovp_assess.settings"
    import django

    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django.test import override_settings
    from django.utils import timezone

    from cities.models import Office, OfficeMembership, User
    from criteria import workflow
    from criteria.models import Assessment, Framework, Round

    call_command("migrate", verbosity=0)
    with override_settings(DEBUG=True):
        call_command("seed_demo", verbosity=0)

    def session_for(user):
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        # The backend must be one in AUTHENTICATION_BACKENDS, or the session is anonymous.
        store[BACKEND_SESSION_KEY] = "allauth.account.auth_backends.AuthenticationBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        return store.session_key

    framework = Framework.objects.default()
    offices = list(Office.objects.exclude(
        assessments__round__code="bench").filter(city__networks__isnull=False)
        .distinct().order_by("pk")[:4])
    owner = User.objects.get(username="demo-secretariat")
    today = timezone.localdate()
    drafts = []
    for o in offices:
        # An open "bench" round in the office's network, with the office invited.
        network = o.city.networks.order_by("pk").first()
        rnd, _ = Round.objects.get_or_create(
            network=network, code="bench",
            defaults={"name": "bench", "framework": framework, "opens_on": today,
                      "closes_on": today + timedelta(days=30)})
        rnd.invited_offices.add(o)
        drafts.append(workflow.start_assessment(office=o, round=rnd, by=owner))
    targets = [(d.pk, r.criterion.number, r.pk)
               for d in drafts for r in d.responses.select_related("criterion")]
    editors = []
    for i in range(n_editors):
        user, _ = User.objects.get_or_create(
            username=f"bench-editor-{i:02d}", defaults={"email": f"bench{i}@example.org"})
        # Two editors per criterion here and there: conflicts must be handled, not lost.
        pk, number, response_pk = targets[i % len(targets) if i < len(targets)
                                          else (i * 7) % len(targets)]
        office = Assessment.objects.get(pk=pk).office
        OfficeMembership.objects.get_or_create(user=user, office=office,
                                               defaults={"role": OfficeMembership.Role.EDITOR})
        editors.append({"session": session_for(user), "pk": pk, "number": number,
                        "response": response_pk, "name": user.username})
    reader = User.objects.get(username="demo-researcher")
    briefs = list(Assessment.objects.filter(status="published").values_list("pk", flat=True))
    rounds = sorted(set(Assessment.objects.filter(status="published")
                        .values_list("round__code", flat=True)))
    return {"editors": editors, "readers": [session_for(reader) for _ in range(n_readers)],
            "briefs": briefs, "rounds": rounds}


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.latency = defaultdict(list)
        self.status = defaultdict(lambda: defaultdict(int))
        self.errors = []
        self.acked = []  # (response pk, text, version)
        self.conflicts = 0

    def add(self, kind, status, seconds):
        with self.lock:
            self.latency[kind].append(seconds)
            self.status[kind][status] += 1


def request(port, method, path, *, session, csrf=None, body=None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    cookie = f"sessionid={session}" + (f"; csrftoken={csrf}" if csrf else "")
    h = {"Host": "127.0.0.1", "Cookie": cookie, **(headers or {})}
    if body is not None:
        h["Content-Type"] = "application/x-www-form-urlencoded"
    started = time.perf_counter()
    conn.request(method, path, body=body, headers=h)
    response = conn.getresponse()
    data = response.read()
    elapsed = time.perf_counter() - started
    set_cookie = response.getheader("Set-Cookie") or ""
    conn.close()
    return response.status, data, elapsed, set_cookie


VERSION = re.compile(rb'name="version" value="(\d+)"')
CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


def editor_loop(port, editor, deadline, rec, pause):
    from urllib.parse import urlencode

    edit = f"/assessments/{editor['pk']}/criteria/{editor['number']}/"
    csrf, version, seq = None, None, 0
    while time.monotonic() < deadline:
        try:
            if version is None:
                status, body, took, cookie = request(port, "GET", edit, session=editor["session"],
                                                     csrf=csrf)
                rec.add("editor: open edit page", status, took)
                if status != 200:
                    rec.errors.append(("open", status)); time.sleep(1); continue  # noqa: E702
                found = re.search(r"csrftoken=([^;]+)", cookie)
                if found:
                    csrf = found.group(1)
                elif csrf is None:
                    csrf = CSRF_INPUT.search(body).group(1).decode()
                version = int(VERSION.search(body).group(1))
            seq += 1
            text = f"{editor['name']} save {seq}"
            form = urlencode({"level": str(seq % 5), "current_strengths": text,
                              "opportunities": "More to do", "confidence": "medium",
                              "not_applicable_reason": "", "version": str(version)})
            status, body, took, _ = request(
                port, "POST", edit, session=editor["session"], csrf=csrf, body=form,
                headers={"HX-Request": "true", "X-CSRFToken": csrf, "Referer":
                         f"http://127.0.0.1:{port}{edit}"})
            rec.add("editor: autosave", status, took)
            if status == 200 and b'data-state="saved"' in body:
                version = int(VERSION.search(body).group(1))
                with rec.lock:
                    rec.acked.append((editor["response"], text, version))
            elif status == 409:
                with rec.lock:
                    rec.conflicts += 1
                version = None  # someone else saved: reload, as the page asks the editor to
            else:
                rec.errors.append(("autosave", status, body[:200]))
                version = None
        except Exception as exc:  # noqa: BLE001 - every failure is counted
            rec.errors.append(("editor", repr(exc)))
            version = None
        time.sleep(pause * random.uniform(0.5, 1.5))  # noqa: S311 - jitter, not security


def reader_loop(port, session, deadline, rec, paths, pause):
    while time.monotonic() < deadline:
        kind, path = random.choice(paths)  # noqa: S311
        try:
            status, _, took, _ = request(port, "GET", path, session=session)
            rec.add(kind, status, took)
            if status != 200:
                rec.errors.append((kind, status))
        except Exception as exc:  # noqa: BLE001
            rec.errors.append((kind, repr(exc)))
        time.sleep(pause * random.uniform(0.5, 1.5))  # noqa: S311


def throughput(port, session, path, seconds, threads):
    done = [0]
    errors = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def loop():
        while time.monotonic() < deadline:
            status, *_ = request(port, "GET", path, session=session)
            with lock:
                done[0] += 1
                errors[0] += status != 200

    workers = [threading.Thread(target=loop) for _ in range(threads)]
    started = time.monotonic()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return done[0] / (time.monotonic() - started), errors[0]


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def start_gunicorn(port, env_extra=None, log_name="ovp-load-server.log"):
    """gunicorn with ovp_assess/gunicorn.conf.py on 127.0.0.1:`port`, once /healthz answers.
    Returns (process, log file, log path); stop it with `stop_process`."""
    env = {**os.environ, **SERVER_ENV, **(env_extra or {}), "GUNICORN_BIND": f"127.0.0.1:{port}"}
    env.setdefault("GUNICORN_WORKERS", "4")
    env.setdefault("GUNICORN_THREADS", "4")
    log_path = Path(tempfile.gettempdir()) / log_name
    log = open(log_path, "w")  # noqa: SIM115, PTH123
    server = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "gunicorn", "-c", "ovp_assess/gunicorn.conf.py",
         "--access-logfile", "/dev/null"],
        cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True,
    )
    for _ in range(100):
        try:
            if request(port, "GET", "/healthz", session="")[0] == 200:
                break
        except OSError:
            time.sleep(0.2)
    else:
        stop_process(server, log)
        raise SystemExit(f"gunicorn did not come up; see {log_path}")
    return server, log, log_path


def stop_process(process, log=None):
    """SIGTERM to the process group we started, then wait for it."""
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=120)
    if log:
        log.close()


def reader_paths(data, port):
    """What readers open: each published office brief, each network brief, the comparison."""
    paths = [("reader: office brief", f"/reports/briefs/{pk}/") for pk in data["briefs"]]
    paths += [("reader: network brief", f"/reports/rounds/{r}/") for r in data["rounds"]]
    if request(port, "GET", "/compare/", session=data["readers"][0])[0] == 200:
        paths.append(("reader: comparison", "/compare/"))
    return paths


def run_clients(ports, data, args, paths, rec):
    """Editors and readers for args.duration seconds, spread round-robin over `ports`.
    Returns the seconds it took."""
    deadline = time.monotonic() + args.duration
    threads = [threading.Thread(target=editor_loop, args=(
        ports[i % len(ports)], e, deadline, rec, args.autosave_pause))
        for i, e in enumerate(data["editors"])]
    threads += [threading.Thread(target=reader_loop, args=(
        ports[i % len(ports)], s, deadline, rec, paths, args.read_pause))
        for i, s in enumerate(data["readers"])]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.monotonic() - started


def lost_writes(rec):
    """Every acknowledged save must be in the history, and each response must end with the
    text of its last acknowledged save. Returns (missing from history, overwritten)."""
    from criteria.models import CriterionResponse

    history = CriterionResponse.history.model
    saved = {(h.id, h.current_strengths, h.version)
             for h in history.objects.filter(current_strengths__contains=" save ")}
    lost = [a for a in rec.acked if a not in saved]
    last = {}
    for response_pk, text, version in rec.acked:
        if version > last.get(response_pk, (0, ""))[0]:
            last[response_pk] = (version, text)
    final = dict(CriterionResponse.objects.filter(pk__in=last)
                 .values_list("pk", "current_strengths"))
    overwritten = [pk for pk, (_, text) in last.items() if final[pk] != text]
    return lost, overwritten


def print_latencies(rec):
    print(f"{'kind':28} {'n':>6} {'p50 ms':>8} {'p95 ms':>8}  statuses")
    all_latencies = []
    for kind in sorted(rec.latency):
        values = rec.latency[kind]
        all_latencies += values
        print(f"{kind:28} {len(values):6d} {statistics.median(values) * 1000:8.0f} "
              f"{percentile(values, 95) * 1000:8.0f}  {dict(rec.status[kind])}")
    print(f"{'all':28} {len(all_latencies):6d} {statistics.median(all_latencies) * 1000:8.0f} "
          f"{percentile(all_latencies, 95) * 1000:8.0f}")


def arguments(description, **defaults):
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--duration", type=int, default=defaults.get("duration", 60))
    parser.add_argument("--editors", type=int, default=defaults.get("editors", 50))
    parser.add_argument("--readers", type=int, default=defaults.get("readers", 10))
    parser.add_argument("--autosave-pause", type=float, default=1.0,
                        help="seconds between one editor's autosaves (typing pauses)")
    parser.add_argument("--read-pause", type=float, default=0.5)
    parser.add_argument("--ratio-seconds", type=int, default=10)
    return parser


def main():
    args = arguments(__doc__.split("\n\n")[0]).parse_args()
    if args.duration > 600 or args.editors + args.readers > 200:
        raise SystemExit("Keep the run bounded: at most 600 s and 200 clients.")

    os.environ["DATABASE_URL"] = database_url()
    print("Setting up a fresh database ...", flush=True)
    data = setup(args.editors, args.readers)

    port = free_port()
    server, log, _ = start_gunicorn(port)
    try:
        rec = Recorder()
        paths = reader_paths(data, port)
        print(f"gunicorn on 127.0.0.1:{port} ({os.environ.get('GUNICORN_WORKERS', '4')} workers x "
              f"{os.environ.get('GUNICORN_THREADS', '4')} threads); {args.editors} editors and "
              f"{args.readers} readers for {args.duration} s ...", flush=True)
        elapsed = run_clients([port], data, args, paths, rec)

        brief_path = f"/reports/briefs/{data['briefs'][0]}/"
        brief_rps, brief_err = throughput(port, data["readers"][0], brief_path,
                                          args.ratio_seconds, args.readers)
        trivial_rps, trivial_err = throughput(port, data["readers"][0], "/healthz",
                                              args.ratio_seconds, args.readers)
    finally:
        stop_process(server, log)

    lost, overwritten = lost_writes(rec)
    total = sum(len(v) for v in rec.latency.values())
    print(f"\nrequests: {total} in {elapsed:.0f} s ({total / elapsed:.1f}/s); "
          f"errors: {len(rec.errors) + brief_err + trivial_err}; "
          f"conflicts answered 409 (expected, reloaded): {rec.conflicts}")
    print_latencies(rec)
    print(f"acknowledged saves: {len(rec.acked)}; lost writes: {len(lost) + len(overwritten)} "
          f"(missing from history: {len(lost)}, final text not the last save: "
          f"{len(overwritten)})")
    print(f"brief page {brief_rps:.1f} req/s vs /healthz {trivial_rps:.1f} req/s "
          f"({args.readers} clients, {args.ratio_seconds} s each): "
          f"ratio {brief_rps / trivial_rps:.3f}")
    if rec.errors:
        print("first errors:", rec.errors[:5])
    return 1 if rec.errors or lost or overwritten else 0


if __name__ == "__main__":
    sys.exit(main())
