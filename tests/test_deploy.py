"""The deploy/ example works as documented: the systemd unit verifies, the nginx config
passes `nginx -t`, and nginx really runs (as a foreground process on a loopback port, with
its files in a temporary folder) in front of a real `threadpress serve`, where its
X-Forwarded-For is believed and a visitor's own is not.

Every command in deploy/README.md is either run here or named in `NEEDS_A_SYSTEMD_HOST`.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import TEST_SECRET_KEY, require
from tests.live_server import ROOT, THREADPRESS, free_port, server_environment, wait_until_healthy
from threadpress.demo import MAIN_SLUG

DEPLOY = ROOT / "deploy"
UNIT = DEPLOY / "threadpress.service"
SITE = DEPLOY / "nginx" / "threadpress.conf"
VISITOR = "127.0.0.3"  # a loopback address that is not nginx's, so the two can be told apart

# Commands of deploy/README.md that change a real host (users, /etc, running services):
# not run here, where systemd is not PID 1.
NEEDS_A_SYSTEMD_HOST = {
    "useradd --system --home-dir /opt/threadpress --shell /usr/sbin/nologin threadpress",
    "install -d -m 700 /etc/threadpress",
    "install -m 600 deploy/threadpress.env.example /etc/threadpress/threadpress.env",
    "install -m 644 deploy/threadpress.service /etc/systemd/system/threadpress.service",
    "install -m 644 deploy/nginx/threadpress.conf /etc/nginx/conf.d/threadpress.conf",
    "systemctl daemon-reload",
    "systemctl enable --now threadpress",
    "systemctl reload nginx",
    "systemctl stop threadpress",
    "journalctl -u threadpress -f",
}
# Commands run by the tests below, as the README shows them.
RUN_HERE = {
    "systemd-analyze verify /etc/systemd/system/threadpress.service",
    "nginx -t",
    "curl -s http://127.0.0.1:8000/metrics",
}


def _readme_commands() -> set[str]:
    text = (DEPLOY / "README.md").read_text(encoding="utf-8")
    commands = set()
    for block in re.findall(r"```sh\n(.*?)```", text, flags=re.DOTALL):
        for line in block.splitlines():
            line = line.split(" #", 1)[0].strip()
            if line and not line.startswith("#"):
                commands.add(line.removeprefix("sudo "))
    return commands


def test_every_command_of_the_deploy_readme_is_run_or_needs_a_real_host() -> None:
    assert _readme_commands() == NEEDS_A_SYSTEMD_HOST | RUN_HERE


def test_the_systemd_unit_verifies(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    require(analyze is not None, "systemd-analyze is missing (apt-get install systemd)")
    assert analyze is not None
    # The unit as installed, pointing at this checkout instead of /opt/threadpress (verify
    # checks that ExecStart's program exists).
    unit = tmp_path / "threadpress.service"
    unit.write_text(UNIT.read_text().replace("/opt/threadpress", str(ROOT)))

    result = subprocess.run(
        [analyze, "verify", str(unit)], capture_output=True, text=True, timeout=60, check=False
    )

    assert (result.returncode, result.stderr) == (0, ""), result.stderr
    text = UNIT.read_text()
    for hardening in ("NoNewPrivileges=yes", "ProtectSystem=strict", "PrivateTmp=yes"):
        assert hardening in text
    assert "EnvironmentFile=/etc/threadpress/threadpress.env" in text
    assert re.search(r"ExecStart=\S+ serve .*--workers \d+", text)


def _nginx() -> str:
    nginx = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )
    require(nginx is not None, "nginx is missing (apt-get install nginx-light)")
    assert nginx is not None
    return nginx


def _nginx_prefix(tmp_path: Path, listen: int, upstream: int) -> Path:
    """A prefix folder with a main config that includes deploy/nginx/threadpress.conf as
    /etc/nginx/nginx.conf would, its ports moved to loopback test ports."""
    prefix = tmp_path / "nginx"
    (prefix / "logs").mkdir(parents=True)
    site = SITE.read_text()
    site = site.replace("listen 80;", f"listen 127.0.0.1:{listen};").replace("listen [::]:80;", "")
    site = site.replace("server 127.0.0.1:8000 ", f"server 127.0.0.1:{upstream} ")
    (prefix / "threadpress.conf").write_text(site)
    user = "user root;\n" if os.geteuid() == 0 else ""  # temp files inside a private tmp dir
    (prefix / "nginx.conf").write_text(
        f"{user}worker_processes 1;\npid {prefix}/nginx.pid;\nerror_log stderr;\n"
        "events { worker_connections 64; }\n"
        f"http {{\n  access_log {prefix}/logs/access.log;\n"
        f"  include {prefix}/threadpress.conf;\n}}\n"
    )
    return prefix


def _nginx_command(nginx: str, prefix: Path, *extra: str) -> list[str]:
    return [nginx, "-p", f"{prefix}/", "-e", "stderr", "-c", f"{prefix}/nginx.conf", *extra]


def test_the_nginx_config_passes_nginx_t(tmp_path: Path) -> None:
    nginx = _nginx()
    prefix = _nginx_prefix(tmp_path, free_port(), free_port())

    result = subprocess.run(
        _nginx_command(nginx, prefix, "-t"), capture_output=True, text=True, timeout=60
    )

    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


def _cli(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [str(THREADPRESS), *args],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return done.stdout


@pytest.fixture
def behind_nginx(tmp_path: Path) -> Iterator[tuple[str, str, str]]:
    """A `threadpress serve` with nginx in front; yields (nginx URL, serve URL, token)."""
    nginx = _nginx()
    env = server_environment(tmp_path / "deploy.sqlite3")
    env.update(
        THREADPRESS_SECRET_KEY=TEST_SECRET_KEY,
        THREADPRESS_TRUSTED_PROXIES="127.0.0.1",  # nginx, as in threadpress.env.example
        THREADPRESS_FLOOD_SECONDS="0",
    )
    _cli(env, "migrate")
    _cli(env, "demo")
    token = _cli(env, "token", "create", "--name", "desk", "--role", "moderator").splitlines()[-1]
    serve_port, nginx_port = free_port(), free_port()
    serve_url, nginx_url = f"http://127.0.0.1:{serve_port}", f"http://127.0.0.1:{nginx_port}"
    prefix = _nginx_prefix(tmp_path, nginx_port, serve_port)
    serve_log, nginx_log = tmp_path / "serve.log", tmp_path / "nginx.log"
    with serve_log.open("wb") as out_serve, nginx_log.open("wb") as out_nginx:
        server = subprocess.Popen(
            [str(THREADPRESS), "serve", "--port", str(serve_port)],
            env=env,
            cwd=ROOT,
            stdout=out_serve,
            stderr=subprocess.STDOUT,
        )
        proxy = subprocess.Popen(
            _nginx_command(nginx, prefix, "-g", "daemon off;"),
            stdout=out_nginx,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_healthy(serve_url, server, serve_log)
        wait_until_healthy(nginx_url, proxy, nginx_log)
        yield nginx_url, serve_url, token
    finally:
        for process in (proxy, server):
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
    assert server.returncode == 0, serve_log.read_text()


SUBMIT = """
mutation Submit($input: SubmitCommentInput!) {
  submitComment(input: $input) { moderationStatus errors { code } }
}
"""
QUEUE = "{ moderationQueue(first: 10) { nodes { comment { content } ipAddress } } }"


def test_nginx_in_front_of_serve(behind_nginx: tuple[str, str, str]) -> None:
    nginx_url, serve_url, token = behind_nginx
    with httpx.Client(transport=httpx.HTTPTransport(local_address=VISITOR), timeout=20) as visitor:
        _visit(visitor, nginx_url, serve_url, token)


def _visit(visitor: httpx.Client, nginx_url: str, serve_url: str, token: str) -> None:
    spoofed = {"X-Forwarded-For": "203.0.113.66"}

    health = visitor.get(f"{nginx_url}/healthz", headers=spoofed)
    found = visitor.post(
        f"{nginx_url}/graphql", json={"query": f'{{ post(slug: "{MAIN_SLUG}") {{ id }} }}'}
    )
    post_id = found.json()["data"]["post"]["id"]
    for url, content in ((nginx_url, "Through nginx."), (serve_url, "Straight to serve.")):
        answer = visitor.post(
            f"{url}/graphql",
            headers=spoofed,
            json={
                "query": SUBMIT,
                "variables": {
                    "input": {
                        "postId": post_id,
                        "authorName": "Vi Sitor",
                        "authorEmail": "visitor@example.org",
                        "content": content,
                    }
                },
            },
        )
        assert answer.json()["data"]["submitComment"]["errors"] == [], answer.text
    queue = visitor.post(
        f"{nginx_url}/graphql",
        json={"query": QUEUE},
        headers={"Authorization": f"Bearer {token}"},
    )
    metrics_public = visitor.get(f"{nginx_url}/metrics")
    metrics_local = httpx.get(f"{serve_url}/metrics", timeout=20)  # curl on the host
    too_big = visitor.post(
        f"{nginx_url}/graphql",
        content=b"x" * (512 * 1024 + 1),
        headers={"Content-Type": "application/json"},
    )

    assert health.status_code == 200
    # nginx's $request_id, echoed by Threadpress: one id in both logs.
    assert re.fullmatch(r"[0-9a-f]{32}", health.headers["x-request-id"])
    addresses = {
        node["comment"]["content"]: node["ipAddress"]
        for node in queue.json()["data"]["moderationQueue"]["nodes"]
    }
    # nginx (a trusted proxy) said who the visitor was; the visitor's own header counted
    # for nothing, through nginx or not.
    sent = ("<p>Through nginx.</p>", "<p>Straight to serve.</p>")
    assert {content: addresses.get(content) for content in sent} == dict.fromkeys(sent, VISITOR)
    assert metrics_public.status_code == 404
    assert metrics_local.status_code == 200
    assert "threadpress_http_requests_total" in metrics_local.text
    assert too_big.status_code == 413  # nginx's client_max_body_size, as the app's limit
