"""Scale-out run: two app servers and two workers sharing one PostgreSQL and one S3 bucket.

    pg_virtualenv .venv/bin/python bench/scale_out.py --duration 30
    DATABASE_URL=postgres://... .venv/bin/python bench/scale_out.py

Needs the bench extra (`pip install -e ".[bench]"`: moto's S3 server). On loopback it starts
moto's S3 server with a bucket, sets up a fresh database as `bench/load.py` does (seed,
editors with sessions and drafts), then starts two gunicorn instances (A and B) and two
`manage.py run_worker` processes, all with the same DATABASE_URL and the same bucket
(DJANGO_S3_*), as docs/deploy.md "Many machines" describes. It checks and prints:

- stored briefs shared: a published brief's PDF asked of A (rendered, stored in the bucket)
  and then of B (served from the bucket): objects under briefs/ and StoredBrief rows before
  and after each request, both response times, and whether the bytes are the same;
- the load of `bench/load.py` (editors autosaving, readers opening briefs, the network brief
  and the comparison) spread round-robin over A and B for --duration seconds, while batch
  exports (reports/exports.py) are queued for the workers: requests, errors, p50/p95 per
  kind, lost writes (load.py's check);
- the workers' tasks afterwards (django-tasks-db's DBTaskResult): each SUCCESSFUL and with
  exactly one worker id, i.e. no task ran twice; each export done once, its ZIP in the bucket;
- the brief page's throughput as a ratio to /healthz, on each instance.

Exits 1 on any error, lost write, task run twice or failed, or brief not shared. Loopback
only, bounded in time and threads; writes into the database it is given: use a throwaway one.
"""

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import load  # noqa: E402 - bench/load.py, next to this file

BUCKET = "ovp-bench"
PREFIX = "media"


def start_s3():
    """moto's S3 server on loopback (its own process) with an empty bucket.
    Returns (process, log, the DJANGO_S3_* settings every process gets)."""
    try:
        import boto3  # noqa: F401 - only to fail early with a clear message
        import moto.server  # noqa: F401
    except ImportError:
        raise SystemExit('moto is missing: .venv/bin/pip install -e ".[bench]"') from None
    port = load.free_port()
    log_path = Path(tempfile.gettempdir()) / "ovp-scale-out-s3.log"
    log = open(log_path, "w")  # noqa: SIM115, PTH123
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=log, stderr=log, start_new_session=True,
    )
    settings = {
        "DJANGO_S3_BUCKET": BUCKET,
        "DJANGO_S3_ENDPOINT_URL": f"http://127.0.0.1:{port}",
        "DJANGO_S3_REGION": "us-east-1",
        "DJANGO_S3_ACCESS_KEY_ID": "bench",
        "DJANGO_S3_SECRET_ACCESS_KEY": "bench-secret",  # noqa: S105 - moto accepts any key
        "DJANGO_S3_PREFIX": PREFIX,
        "DJANGO_S3_ADDRESSING_STYLE": "path",
    }
    client = s3_client(settings)
    for _ in range(100):
        try:
            client.create_bucket(Bucket=BUCKET)
            break
        except Exception:  # noqa: BLE001 - not listening yet
            time.sleep(0.2)
    else:
        load.stop_process(process, log)
        raise SystemExit(f"moto's S3 server did not come up; see {log_path}")
    return process, log, settings


def s3_client(settings):
    import boto3

    return boto3.client(
        "s3", endpoint_url=settings["DJANGO_S3_ENDPOINT_URL"],
        region_name=settings["DJANGO_S3_REGION"],
        aws_access_key_id=settings["DJANGO_S3_ACCESS_KEY_ID"],
        aws_secret_access_key=settings["DJANGO_S3_SECRET_ACCESS_KEY"],
    )


def objects(client, prefix):
    """Keys in the bucket under PREFIX/prefix."""
    keys = []
    for page in client.get_paginator("list_objects_v2").paginate(
            Bucket=BUCKET, Prefix=f"{PREFIX}/{prefix}"):
        keys += [o["Key"] for o in page.get("Contents", [])]
    return keys


def brief_shared(client, ports, data):
    """A published brief's PDF from A, then from B. Returns (shared?, lines of evidence)."""
    from reports.models import StoredBrief

    pk = data["briefs"][0]
    path = f"/reports/briefs/{pk}/pdf/"
    session = data["readers"][0]

    def rows():
        return StoredBrief.objects.filter(assessment_id=pk, kind=StoredBrief.Kind.PDF).count()

    before = (len(objects(client, "briefs/")), rows())
    status_a, body_a, took_a, _ = load.request(ports[0], "GET", path, session=session)
    after_a = (len(objects(client, "briefs/")), rows())
    status_b, body_b, took_b, _ = load.request(ports[1], "GET", path, session=session)
    after_b = (len(objects(client, "briefs/")), rows())
    shared = (status_a == status_b == 200 and body_a == body_b and body_a.startswith(b"%PDF")
              and after_a[0] == before[0] + 1 and after_a[1] == before[1] + 1
              and after_b == after_a)
    lines = [
        f"  brief {pk} PDF from A: {status_a}, {took_a * 1000:.0f} ms; objects under briefs/ "
        f"{before[0]} -> {after_a[0]}, its StoredBrief rows {before[1]} -> {after_a[1]}",
        f"  same PDF from B:  {status_b}, {took_b * 1000:.0f} ms; objects under briefs/ "
        f"{after_a[0]} -> {after_b[0]}, its StoredBrief rows {after_a[1]} -> {after_b[1]}; "
        f"same bytes: {'yes' if body_a == body_b else 'no'} ({len(body_a):,} bytes)",
    ]
    return shared, lines


def queue_exports(count):
    """`count` batch exports of the round with the most published briefs, as the secretariat
    (one per language and paper size: an identical active one would be returned instead)."""
    from django.db.models import Count

    from cities.models import User
    from criteria.models import Assessment
    from reports.exports import start_export

    secretariat = User.objects.get(username="demo-secretariat")
    round_code = (Assessment.objects.filter(status="published").values("round__code")
                  .annotate(n=Count("pk")).order_by("-n", "round__code")[0]["round__code"])
    variants = [(lang, paper) for paper in ("a4", "letter") for lang in ("en", "es", "pt-br")]
    return [start_export(user=secretariat, round=round_code, language=lang, paper=paper)
            for lang, paper in variants[:count]], round_code


def wait_for_tasks(seconds):
    """Until no task is READY or RUNNING, or `seconds` have passed."""
    from django_tasks_db.models import DBTaskResult

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).exists():
            return True
        time.sleep(1)
    return False


def main():
    parser = load.arguments(__doc__.split("\n\n")[0], duration=30)
    parser.add_argument("--exports", type=int, default=3,
                        help="batch exports queued during the run (at most 6)")
    parser.add_argument("--task-wait", type=int, default=300,
                        help="seconds to wait for the workers after the run")
    args = parser.parse_args()
    if args.duration > 600 or args.editors + args.readers > 200 or args.exports > 6:
        raise SystemExit("Keep the run bounded: at most 600 s, 200 clients and 6 exports.")

    os.environ["DATABASE_URL"] = load.database_url()
    print("Starting moto's S3 server ...", flush=True)
    s3, s3_log, s3_settings = start_s3()
    try:
        client = s3_client(s3_settings)
        os.environ.update(s3_settings)  # this process (setup, exports, checks) uses it too
        print("Setting up a fresh database ...", flush=True)
        data = load.setup(args.editors, args.readers)
        return run(args, data, client, s3_settings)
    finally:
        load.stop_process(s3, s3_log)


def run(args, data, client, s3_settings):
    # Both app servers share the machine's cores with everything else: 2 workers x 4 threads
    # each (GUNICORN_WORKERS / GUNICORN_THREADS override).
    os.environ.setdefault("GUNICORN_WORKERS", "2")
    os.environ.setdefault("GUNICORN_THREADS", "4")
    ports = [load.free_port(), load.free_port()]
    processes = []
    try:
        for name, port in zip("AB", ports, strict=True):
            server, log, _ = load.start_gunicorn(port, s3_settings,
                                                 f"ovp-scale-out-{name}.log")
            processes.append((server, log))
        worker_env = {**os.environ, **load.SERVER_ENV, **s3_settings}
        for n in (1, 2):
            log_path = Path(tempfile.gettempdir()) / f"ovp-scale-out-worker{n}.log"
            log = open(log_path, "w")  # noqa: SIM115, PTH123
            worker = subprocess.Popen(  # noqa: S603
                [sys.executable, "manage.py", "run_worker", "--interval", "0.5"],
                cwd=load.ROOT, env=worker_env, stdout=log, stderr=log, start_new_session=True)
            processes.append((worker, log))
        print(f"gunicorn A on 127.0.0.1:{ports[0]}, B on 127.0.0.1:{ports[1]} "
              f"({os.environ['GUNICORN_WORKERS']} workers x {os.environ['GUNICORN_THREADS']} "
              f"threads each); 2 task workers; bucket {BUCKET} on "
              f"{s3_settings['DJANGO_S3_ENDPOINT_URL']}", flush=True)

        shared, evidence = brief_shared(client, ports, data)

        rec = load.Recorder()
        paths = load.reader_paths(data, ports[0])
        jobs, round_code = queue_exports(args.exports)
        print(f"{args.editors} editors and {args.readers} readers over A and B for "
              f"{args.duration} s; {len(jobs)} exports of round {round_code} queued ...",
              flush=True)
        elapsed = load.run_clients(ports, data, args, paths, rec)

        ratios = []
        brief_path = f"/reports/briefs/{data['briefs'][0]}/"
        for name, port in zip("AB", ports, strict=True):
            brief_rps, brief_err = load.throughput(port, data["readers"][0], brief_path,
                                                   args.ratio_seconds, args.readers)
            trivial_rps, trivial_err = load.throughput(port, data["readers"][0], "/healthz",
                                                       args.ratio_seconds, args.readers)
            ratios.append((name, brief_rps, trivial_rps, brief_err + trivial_err))
        print("Waiting for the workers ...", flush=True)
        drained = wait_for_tasks(args.task_wait)
    finally:
        for process, log in processes:
            load.stop_process(process, log)

    from django_tasks_db.models import DBTaskResult

    from reports.models import ExportJob, StoredBrief

    results = list(DBTaskResult.objects.order_by("enqueued_at")
                   .values("task_path", "status", "worker_ids"))
    twice = [r for r in results if len(r["worker_ids"]) != 1]
    failed = [r for r in results if r["status"] != "SUCCESSFUL"]
    per_worker = {}
    for r in results:
        for worker_id in r["worker_ids"]:
            per_worker[worker_id] = per_worker.get(worker_id, 0) + 1
    zips = set(objects(client, "exports/"))
    exports = list(ExportJob.objects.filter(pk__in=[j.pk for j in jobs]))
    exports_ok = [j for j in exports if j.status == ExportJob.Status.DONE and j.attempts == 1
                  and f"{PREFIX}/{j.file.name}" in zips]
    lost, overwritten = load.lost_writes(rec)
    page_rows = StoredBrief.objects.filter(kind=StoredBrief.Kind.PAGE).count()

    total = sum(len(v) for v in rec.latency.values())
    ratio_errors = sum(r[3] for r in ratios)
    errors = len(rec.errors) + ratio_errors
    print(f"\nrequests: {total} in {elapsed:.0f} s ({total / elapsed:.1f}/s) over A and B; "
          f"errors: {errors}; conflicts answered 409 (expected, reloaded): {rec.conflicts}")
    load.print_latencies(rec)
    print(f"acknowledged saves: {len(rec.acked)}; lost writes: {len(lost) + len(overwritten)} "
          f"(missing from history: {len(lost)}, final text not the last save: "
          f"{len(overwritten)})")
    names = sorted({r["task_path"].rsplit(".", 1)[1] for r in results})
    print(f"tasks: {len(results)} ({', '.join(names)}); "
          f"successful: {len(results) - len(failed)}; run twice: {len(twice)}; "
          f"per worker: {sorted(per_worker.values(), reverse=True)}"
          + ("" if drained else f"; still queued or running after {args.task_wait} s"))
    print(f"exports: {len(exports_ok)} of {len(jobs)} done in one attempt with their ZIP in the "
          f"bucket ({len(zips)} objects under exports/)")
    print(f"stored briefs shared between instances: {'yes' if shared else 'NO'}")
    print("\n".join(evidence))
    print(f"  brief pages read on A and B during the load: {page_rows} stored "
          f"(one per published brief: {len(data['briefs'])})")
    for name, brief_rps, trivial_rps, _ in ratios:
        print(f"instance {name}: brief page {brief_rps:.1f} req/s vs /healthz "
              f"{trivial_rps:.1f} req/s ({args.readers} clients, {args.ratio_seconds} s each): "
              f"ratio {brief_rps / trivial_rps:.3f}")
    if rec.errors:
        print("first errors:", rec.errors[:5])
    if failed:
        print("tasks not successful:", failed[:5])
    bad = (errors or lost or overwritten or twice or failed or not drained or not shared
           or len(exports_ok) != len(jobs))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
