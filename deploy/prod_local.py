"""The production topology on this machine (docs/scaling.md), started and stopped by one command.

    deploy/prod-local.sh            start everything, print the URL, stop it all on Ctrl-C
    deploy/prod-local.sh start      start everything and return (the processes stay up)
    deploy/prod-local.sh stop       stop everything that `start` started
    deploy/prod-local.sh status     which services run
    deploy/prod-local.sh manage ARGS  manage.py with the topology's settings (e.g. requeue_jobs)
    deploy/prod-local.sh stop-service NAME | kill-service NAME | start-service NAME
                                    one service (web1, web2, worker1, worker2, redis, s3, nginx);
                                    kill-service sends SIGKILL (the fault tests use these)

What runs (every port on 127.0.0.1, every file under the run folder, nothing in /etc):

    nginx :PROD_LOCAL_PORT ──► gunicorn web1, web2 (config.settings.production)
      │  /static/ from the collected static files; /_protected/ internal: published files
      │  from the bucket (X-Accel-Redirect)
    huey worker1, worker2 (run_huey) ◄── redis-server :REDIS_PORT (its own, nothing on disk)
    PostgreSQL (the machine's server): database PROD_LOCAL_DB, also read as the "replica" alias
    moto_server :S3_PORT: the S3-compatible bucket of the media

Settings come from the environment (defaults in `config()`); a second `start` with the
same run folder reuses its database, secret key and demo data.
"""
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
BIN = PYTHON.parent
SERVICES = ["redis", "s3", "web1", "web2", "worker1", "worker2", "nginx"]
ACCEL_PREFIX = "/_protected/"
DEMO_PASSWORD = "xinfang-demo-2026"
WORKER_NICE = 10  # the task workers yield the CPU to the web hosts (publications wait, pages do not)


def config():
    env = os.environ.get
    return {
        "run_dir": Path(env("PROD_LOCAL_DIR", "/tmp/pjd-prod-local")),
        "port": int(env("PROD_LOCAL_PORT", "8080")),
        "app_ports": [int(p) for p in env("PROD_LOCAL_APP_PORTS", "8101,8102").split(",")],
        "redis_port": int(env("PROD_LOCAL_REDIS_PORT", "6380")),
        "s3_port": int(env("PROD_LOCAL_S3_PORT", "9100")),
        "database": env("PROD_LOCAL_DB", "pjd_prod_local"),
        "pg": env("PROD_LOCAL_PG", "postgres://postgres@127.0.0.1:5432"),
        "media": env("PROD_LOCAL_MEDIA", "s3"),  # or "disk": MEDIA_ROOT under the run folder
        "bucket": env("PROD_LOCAL_BUCKET", "pjd-media"),
        "gunicorn_workers": env("PROD_LOCAL_GUNICORN_WORKERS", "2"),
        "huey_workers": env("PROD_LOCAL_HUEY_WORKERS", "2"),
        # "publish": the demo documents published (as `make run`); "drafts": left in draft
        # (the fault tests take them through submission, review and publication themselves).
        "demo": env("PROD_LOCAL_DEMO", "publish"),
    }


# --- the run folder's state ---------------------------------------------------------------

def _state_file(cfg):
    return cfg["run_dir"] / "state.json"


def load_state(cfg):
    path = _state_file(cfg)
    return json.loads(path.read_text()) if path.exists() else {"services": {}}


def save_state(cfg, state):
    _state_file(cfg).write_text(json.dumps(state, indent=1, ensure_ascii=False))


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie (our own child not reaped yet) is not alive
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


# --- the environment of every Django process ----------------------------------------------

def django_env(cfg, state):
    run = cfg["run_dir"]
    database_url = f"{cfg['pg']}/{cfg['database']}"
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": state["secret_key"],
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": database_url,
        # A second alias on the same server stands for the replica (config/db_router.py).
        "DATABASE_REPLICA_URL": database_url,
        "HUEY_REDIS_URL": f"redis://127.0.0.1:{cfg['redis_port']}/0",
        # The page cache shared by both app hosts: a public page is rendered once for all of them.
        "CACHE_REDIS_URL": f"redis://127.0.0.1:{cfg['redis_port']}/1",
        "STATIC_ROOT": str(run / "static"),
        "STATIC_COMPRESS": "0",  # nginx serves and compresses the static files
        "MEDIA_ROOT": str(run / "media"),
        # Published files through nginx (X-Accel-Redirect to the internal location below).
        "PUBLIC_FILES_ACCEL_REDIRECT": ACCEL_PREFIX,
        "PUBLIC_ACCEL_REDIRECT_PREFIX": ACCEL_PREFIX,
        # Plain http on this machine: production's HTTPS-only settings turned off explicitly.
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "SECURE_HSTS_SECONDS": "0",
        "PYTHONUNBUFFERED": "1",
    }
    if cfg["media"] == "s3":
        env.update({
            "MEDIA_S3_BUCKET": cfg["bucket"],
            "AWS_S3_ENDPOINT_URL": f"http://127.0.0.1:{cfg['s3_port']}",
            "AWS_ACCESS_KEY_ID": "prod-local",
            "AWS_SECRET_ACCESS_KEY": "prod-local-secret",
            "AWS_S3_REGION_NAME": "us-east-1",
        })
    # Passed through when the caller sets them (the fault tests shorten the lease).
    for name in ("JOB_LEASE_SECONDS", "JOB_PAUSE_BEFORE_COMMIT", "PDF_TIMEOUT_SECONDS", "PDF_MEMORY_MB"):
        if os.environ.get(name):
            env[name] = os.environ[name]
    return env


def _process_env(extra):
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "HUEY_", "MEDIA_"))}
    return {**base, **extra}


def manage(cfg, state, *args, **extra):
    env = _process_env({**django_env(cfg, state), **extra})
    result = subprocess.run([str(PYTHON), "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


# --- the services -------------------------------------------------------------------------

def service_spec(cfg, state, name):
    """(argv, extra environment, readiness check) of a service."""
    run = cfg["run_dir"]
    if name == "redis":
        argv = [tool("redis-server"), "--port", str(cfg["redis_port"]), "--bind", "127.0.0.1", "--save", "",
                "--appendonly", "no", "--dir", str(run)]
        return argv, {}, ("tcp", cfg["redis_port"])
    if name == "s3":
        return [str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(cfg["s3_port"])], {}, ("tcp", cfg["s3_port"])
    if name.startswith("web"):
        port = cfg["app_ports"][int(name[3:]) - 1]
        # --preload: the workers fork from a loaded app (config/wsgi.py froze it for the garbage
        # collector), so a worker replaced after --max-requests starts at once and shares its memory.
        argv = [str(BIN / "gunicorn"), "config.wsgi", "--preload", "--workers", cfg["gunicorn_workers"], "--timeout", "120",
                "--max-requests", "2000", "--max-requests-jitter", "200", "--bind", f"127.0.0.1:{port}", "--no-control-socket",
                "--access-logfile", str(run / "logs" / f"{name}-access.log")]
        return argv, django_env(cfg, state), ("http", f"http://127.0.0.1:{port}/public/")
    if name.startswith("worker"):
        # Below the web hosts' CPU priority: a burst of publications never slows the pages
        # (docs/scaling.md: on separate hosts in a real deployment).
        argv = [tool("nice"), "-n", str(WORKER_NICE), str(PYTHON), "manage.py", "run_huey", "--workers", cfg["huey_workers"]]
        return argv, django_env(cfg, state), ("sleep", 1.5)
    if name == "nginx":
        argv = [tool("nginx"), "-p", str(run / "nginx"), "-c", str(run / "nginx" / "nginx.conf"), "-g", "daemon off;"]
        return argv, {}, ("http", f"http://127.0.0.1:{cfg['port']}/public/")
    raise SystemExit(f"unknown service {name}; one of {', '.join(SERVICES)}")


def _ready(check, pid, timeout=60):
    kind, target = check
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not alive(pid):
            return False
        if kind == "sleep":
            time.sleep(target)
            return alive(pid)
        try:
            if kind == "tcp":
                with socket.create_connection(("127.0.0.1", target), timeout=1):
                    return True
            else:
                with urllib.request.urlopen(target, timeout=5) as response:
                    return response.status == 200
        except (OSError, urllib.error.URLError):
            time.sleep(0.2)
    return False


def _autogroup_nice(pid):
    """Linux groups a session's processes for the scheduler (autogroup) and shares the CPU fairly
    between groups whatever their nice value: each service runs in a session of its own, so the
    workers' `nice` alone would not yield to the web hosts. The group's own nice does (a real
    deployment: the workers on their own hosts, or systemd's CPUWeight=)."""
    try:
        Path(f"/proc/{pid}/autogroup").write_text(str(WORKER_NICE))
    except OSError:  # no autogroup (kernel setting off, or not Linux): `nice` suffices then
        pass


def start_services(cfg, state, *names):
    """Start the services at once and wait until each answers (or raise, naming its log)."""
    checks = {}
    for name in names:
        current = state["services"].get(name)
        if current and alive(current["pid"]):
            continue
        argv, extra, check = service_spec(cfg, state, name)
        log = open(cfg["run_dir"] / "logs" / f"{name}.log", "ab")
        process = subprocess.Popen(argv, cwd=ROOT, env=_process_env(extra), stdout=log, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
        if name.startswith("worker"):
            _autogroup_nice(process.pid)
        state["services"][name] = {"pid": process.pid}
        checks[name] = (check, process.pid)
    save_state(cfg, state)
    for name, (check, pid) in checks.items():
        if not _ready(check, pid):
            log = cfg["run_dir"] / "logs" / f"{name}.log"
            raise SystemExit(f"{name} did not start (log: {log}):\n{log.read_text(errors='replace')[-3000:]}")
        if name == "s3":
            bucket_create(cfg)


def stop_service(cfg, state, name, sig=signal.SIGTERM, wait=15):
    current = state["services"].get(name)
    if not current:
        return
    pid = current["pid"]
    try:
        os.killpg(pid, sig)  # its own session: the service and its children (gunicorn's, nginx's)
    except ProcessLookupError:
        pass
    deadline = time.monotonic() + wait
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    if alive(pid):
        os.killpg(pid, signal.SIGKILL)
    try:  # reap it when it is our own child (the foreground mode)
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass
    state["services"].pop(name, None)
    save_state(cfg, state)


def bucket_create(cfg):
    import boto3

    client = boto3.client("s3", endpoint_url=f"http://127.0.0.1:{cfg['s3_port']}", region_name="us-east-1",
                          aws_access_key_id="prod-local", aws_secret_access_key="prod-local-secret")
    existing = {b["Name"] for b in client.list_buckets().get("Buckets", [])}
    if cfg["bucket"] not in existing:
        client.create_bucket(Bucket=cfg["bucket"])
    # The objects stay private (no ACL); the bucket lets nginx's internal location read the
    # media without signing. A real deployment limits this to the web hosts' addresses
    # (a "Condition": {"IpAddress": …}) on a private network (docs/scaling.md).
    client.put_bucket_policy(Bucket=cfg["bucket"], Policy=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Sid": "nginx-reads-media", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                       "Resource": f"arn:aws:s3:::{cfg['bucket']}/media/*"}],
    }))


def nginx_conf(cfg):
    run = cfg["run_dir"]
    upstream = "\n".join(f"        server 127.0.0.1:{port} max_fails=1 fail_timeout=5s;" for port in cfg["app_ports"])
    if cfg["media"] == "s3":
        # The objects are immutable for a given `v` (the file's SHA-256, set by the app): nginx
        # keeps them, so the bucket sees each file once, not once per download.
        protected = f"""        set $file_version $arg_v;
        set $args "";
        proxy_pass http://127.0.0.1:{cfg['s3_port']}/{cfg['bucket']}/media/;
        proxy_set_header Host 127.0.0.1:{cfg['s3_port']};
        proxy_set_header Authorization "";
        proxy_hide_header x-amz-request-id;
        proxy_hide_header x-amzn-requestid;
        proxy_hide_header x-amz-id-2;
        proxy_hide_header Set-Cookie;
        proxy_hide_header x-amz-sdk-checksum-algorithm;
        proxy_hide_header x-amz-content-sha256;
        proxy_hide_header x-amz-checksum-crc32;
        proxy_hide_header Access-Control-Allow-Origin;
        proxy_hide_header ETag;
        add_header ETag '"$file_version"';
        proxy_cache pjd_files;
        proxy_cache_key "$uri|$file_version";
        proxy_cache_valid 200 1d;
        proxy_cache_lock on;"""
    else:
        protected = f"        alias {run / 'media'}/;"
    app_proxy = """            proxy_pass http://pjd_app;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-Proto {proto};
            proxy_set_header X-Forwarded-For {forwarded_for};
            # One app host down: the request goes to the other (POSTs too: a refused
            # connection never reached the app).
            proxy_next_upstream error timeout http_502 http_503 non_idempotent;
            proxy_connect_timeout 2s;
            proxy_read_timeout 120s;"""
    inner_proxy = app_proxy.format(proto="$http_x_forwarded_proto", forwarded_for="$http_x_forwarded_for")
    app_proxy = app_proxy.format(proto="$scheme", forwarded_for="$proxy_add_x_forwarded_for")
    temp = "\n".join(f"    {kind}_temp_path {run / 'nginx' / 'tmp' / kind};"
                     for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return f"""# Written by deploy/prod_local.py; the same locations as docs/scaling.md's nginx example.
worker_processes 2;
pid {run / 'nginx' / 'nginx.pid'};
error_log {run / 'logs' / 'nginx-error.log'} warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {run / 'logs' / 'nginx-access.log'};
{temp}
    sendfile on;
    keepalive_timeout 30;
    gzip on;
    gzip_types text/css application/javascript application/json image/svg+xml;

    upstream pjd_app {{
        least_conn;  # requests differ in cost (a preview, a step): the less busy host takes the next
{upstream}
        keepalive 16;
    }}

    # The public portal's answers to anonymous visitors, kept one second (a micro-cache): under
    # load each page or file reaches the app about once a second, and a publication or withdrawal
    # is seen by everyone within that second. The app's own page cache sits behind it.
    proxy_cache_path {run / 'nginx' / 'public-cache'} levels=1:2 keys_zone=pjd_public:20m max_size=2g inactive=10m use_temp_path=off;
    # Published files from the bucket, by name and hash (immutable).
    proxy_cache_path {run / 'nginx' / 'file-cache'} levels=1:2 keys_zone=pjd_files:20m max_size=4g inactive=1d use_temp_path=off;

    # The inner server: the app, with X-Accel-Redirect resolved (the public location caches its answers).
    server {{
        listen unix:{run / 'nginx' / 'app.sock'};
        location {ACCEL_PREFIX} {{
            internal;
{protected}
        }}
        location / {{
{inner_proxy}
        }}
    }}

    server {{
        listen 127.0.0.1:{cfg['port']};
        server_name localhost 127.0.0.1;
        client_max_body_size 12m;

        location /static/ {{
            alias {run / 'static'}/;
            expires 30d;
        }}

        # Only reachable through X-Accel-Redirect from the app (published files).
        location {ACCEL_PREFIX} {{
            internal;
{protected}
        }}

        location /media/ {{ return 404; }}

        # Anonymous visitors of the public portal (a session cookie bypasses the cache).
        location /public/ {{
            proxy_pass http://unix:{run / 'nginx' / 'app.sock'}:;
            proxy_http_version 1.1;
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_read_timeout 120s;
            proxy_cache pjd_public;
            proxy_cache_key "$scheme$host$request_uri|$http_hx_request";  # htmx asks for fragments
            proxy_cache_valid any 1s;  # 404 too: a withdrawal replaces the kept answer
            # An answer that sets a cookie is never kept (nginx's default); the portal's set none.
            proxy_ignore_headers Cache-Control Expires Vary X-Accel-Expires;
            proxy_cache_bypass $cookie_sessionid;
            proxy_no_cache $cookie_sessionid;
            proxy_cache_lock on;
            proxy_cache_lock_timeout 5s;
            proxy_cache_use_stale updating;
            proxy_cache_background_update on;
            add_header X-Cache $upstream_cache_status always;
        }}

        location / {{
{app_proxy}
        }}
    }}
}}
"""


# --- the commands -------------------------------------------------------------------------

def database_create(cfg):
    import psycopg2

    connection = psycopg2.connect(f"{cfg['pg']}/postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [cfg["database"]])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{cfg["database"]}"')
    connection.close()


def tool(name):
    """A Debian program's path, also when /usr/sbin is not on the PATH (nginx lives there)."""
    candidates = [shutil.which(name), f"/usr/sbin/{name}", f"/usr/bin/{name}"]
    return next((path for path in candidates if path and os.path.exists(path)), name)


def requirements_check():
    missing = [name for name in ("nginx", "redis-server") if not os.path.exists(tool(name))]
    if not (BIN / "moto_server").exists():
        missing.append(".venv/bin/moto_server (make install)")
    if missing:
        raise SystemExit("missing: " + ", ".join(missing))


def start(cfg):
    requirements_check()
    run = cfg["run_dir"]
    for folder in ("logs", "nginx/tmp", "media", "static"):
        (run / folder).mkdir(parents=True, exist_ok=True)
    run.chmod(0o755)
    state = load_state(cfg)
    state.setdefault("secret_key", secrets.token_urlsafe(50))
    state["config"] = {k: str(v) for k, v in cfg.items()}
    save_state(cfg, state)
    started = last = time.monotonic()

    def step(what):
        nonlocal last
        print(f"  {what}: {time.monotonic() - last:.1f} s", flush=True)
        last = time.monotonic()

    database_create(cfg)
    start_services(cfg, state, "redis", "s3")
    step("redis, s3")
    manage(cfg, state, "migrate", "--noinput", "-v0")
    step("migrate")
    if not state.get("demo_loaded"):
        publish = ["--publish"] if cfg["demo"] == "publish" else []
        # The demo's publication renders in this process (no worker yet): no PDF child per table.
        manage(cfg, state, "load_demo", *publish, "--keep-demo-passwords", PDF_TIMEOUT_SECONDS="0")
        state["demo_loaded"] = True
        save_state(cfg, state)
        step("load_demo")
    manage(cfg, state, "collectstatic", "--noinput", "-v0")
    step("collectstatic")
    (run / "nginx" / "nginx.conf").write_text(nginx_conf(cfg))
    start_services(cfg, state, "web1", "web2", "worker1", "worker2")
    start_services(cfg, state, "nginx")
    step("web1, web2, worker1, worker2, nginx")
    url = f"http://127.0.0.1:{cfg['port']}/"
    print(f"生产拓扑已启动（{time.monotonic() - started:.0f} 秒）：{url}   公开网站：{url}public/   管理后台：{url}admin/")
    print(f"演示账号（密码均为 {DEMO_PASSWORD}）：admin（管理员）、zunhua-czj（审核人）、zunhua-xfj（填报人）等")
    print(f"日志：{run / 'logs'}   停止：deploy/prod-local.sh stop")
    return state


def database_drop(cfg):
    import psycopg2

    connection = psycopg2.connect(f"{cfg['pg']}/postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{cfg["database"]}" WITH (FORCE)')
    connection.close()


def stop(cfg):
    """Stop every service; the database goes too (its media lived in moto's memory), unless
    PROD_LOCAL_KEEP_DB=1 (then keep PROD_LOCAL_MEDIA=disk, or the files are lost)."""
    state = load_state(cfg)
    for name in reversed(SERVICES):
        stop_service(cfg, state, name)
    if state.get("secret_key") and os.environ.get("PROD_LOCAL_KEEP_DB") != "1":
        database_drop(cfg)
        state.pop("demo_loaded", None)
        save_state(cfg, state)
    print("生产拓扑已停止")


def status(cfg):
    state = load_state(cfg)
    for name in SERVICES:
        current = state["services"].get(name)
        running = bool(current and alive(current["pid"]))
        print(f"{name:8} {'running pid=' + str(current['pid']) if running else 'stopped'}")


def main(argv):
    cfg = config()
    command = argv[0] if argv else "run"
    if command == "start":
        start(cfg)
    elif command == "stop":
        stop(cfg)
    elif command == "status":
        status(cfg)
    elif command == "manage" and len(argv) > 1:
        print(manage(cfg, load_state(cfg), *argv[1:]), end="")
    elif command in ("start-service", "stop-service", "kill-service") and len(argv) == 2:
        state = load_state(cfg)
        if command == "start-service":
            start_services(cfg, state, argv[1])
        else:
            stop_service(cfg, state, argv[1], signal.SIGKILL if command == "kill-service" else signal.SIGTERM)
    elif command == "run":
        # Ctrl-C stops everything, even when the shell that started this ignored SIGINT.
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        try:
            start(cfg)
            print("按 Ctrl-C 停止")
            while True:
                time.sleep(3600)
        except (KeyboardInterrupt, SystemExit) as error:
            stop(cfg)
            if isinstance(error, SystemExit) and error.code not in (0, None):
                raise
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
