#!/usr/bin/env python3
"""Start the release binary exactly as each deploy target would, until /readyz answers.

Podman cannot start containers on the build machines, and schema validation
cannot see what a container runs. So this computes the effective argv and
environment of the container from the files, by the rules of each runtime:

- Docker: ENTRYPOINT (exec or shell form) + CMD; a shell-form ENTRYPOINT
  ignores CMD; an ENTRYPOINT set in a stage clears the CMD inherited from its
  base image.
- Kubernetes: `command` replaces the image's ENTRYPOINT, `args` its CMD; a
  `command` without `args` ignores CMD; `$(VAR)` is expanded from the
  container's environment. Environment: image ENV, then `envFrom` ConfigMaps,
  then `env`.
- Nomad (docker driver): `entrypoint` replaces ENTRYPOINT; `command` (plus
  `args`) replaces CMD, and `args` alone replace CMD. Environment: image ENV,
  then the task's `env`.

Paths inside the image are mapped back to the build outputs through the
final stage's `COPY --from=build` lines, listen addresses are moved to free
loopback ports (a port mapping), and the process is started with only that
environment. It must answer /readyz (and every probe path the files name)
with 200, serve /metrics on the metrics port, and pass the image's
HEALTHCHECK command.

Usage: check_argv.py [--repo DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import hcl2
import yaml
from dockerfile_parse import DockerfileParser


class DeployError(Exception):
    """A deploy file that would not start the server as intended."""


# ---- Docker ------------------------------------------------------------------


def instruction_argv(value: str) -> tuple[list[str], bool]:
    """argv of an ENTRYPOINT/CMD value, and whether it was the exec (JSON) form."""
    value = value.strip()
    if value.startswith("["):
        try:
            argv = json.loads(value)
        except json.JSONDecodeError:
            # Docker treats an invalid JSON array as the shell form.
            return ["/bin/sh", "-c", value], False
        return [str(a) for a in argv], True
    return ["/bin/sh", "-c", value], False


@dataclass
class Image:
    entrypoint: list[str] | None
    entrypoint_shell: bool
    cmd: list[str] | None
    env: dict[str, str]
    healthcheck: list[str] | None
    # container path -> path in the build context
    copies: dict[str, str] = field(default_factory=dict)

    def default_argv(self) -> list[str]:
        return docker_argv(self, None, None)


def docker_argv(image: Image, entrypoint: list[str] | None, cmd: list[str] | None) -> list[str]:
    """What Docker runs for this image with optional overrides."""
    ep = image.entrypoint if entrypoint is None else entrypoint
    c = image.cmd if cmd is None else cmd
    if ep and image.entrypoint_shell and entrypoint is None:
        return list(ep)  # a shell-form ENTRYPOINT ignores CMD
    argv = list(ep or []) + list(c or [])
    if not argv:
        raise DeployError("the image has neither ENTRYPOINT nor CMD")
    return argv


def parse_dockerfile(path: Path) -> Image:
    parser = DockerfileParser(path=str(path))
    stages: list[list[dict]] = []
    for ins in parser.structure:
        if ins["instruction"] == "FROM":
            stages.append([])
        elif stages:
            stages[-1].append(ins)
    if not stages:
        raise DeployError(f"{path}: no FROM")
    build_workdir = "/"
    for ins in stages[0] if len(stages) > 1 else []:
        if ins["instruction"] == "WORKDIR":
            build_workdir = ins["value"].strip()
    final = stages[-1]
    entrypoint = cmd = healthcheck = None
    entrypoint_shell = False
    has_cmd = False
    copies: dict[str, str] = {}
    for ins in final:
        kind, value = ins["instruction"], ins["value"]
        if kind == "ENTRYPOINT":
            entrypoint, exec_form = instruction_argv(value)
            entrypoint_shell = not exec_form
            if not has_cmd:
                cmd = None  # ENTRYPOINT clears an inherited CMD
        elif kind == "CMD":
            cmd, _ = instruction_argv(value)
            has_cmd = True
        elif kind == "HEALTHCHECK":
            m = re.search(r"\bCMD\s+(.*)$", value, re.S)
            if m:
                healthcheck, _ = instruction_argv(m.group(1))
        elif kind == "COPY":
            words = shlex.split(value)
            if not any(w.startswith("--from=") for w in words):
                continue
            paths = [w for w in words if not w.startswith("--")]
            *sources, dest = paths
            for src in sources:
                rel = os.path.relpath(src, build_workdir)
                if dest.endswith("/"):
                    copies[dest + os.path.basename(src.rstrip("/"))] = rel
                else:
                    copies[dest] = rel
    if entrypoint is None and cmd is None:
        raise DeployError(
            f"{path}: the final stage sets neither ENTRYPOINT nor CMD; it would run "
            "whatever its base image runs"
        )
    return Image(entrypoint, entrypoint_shell, cmd, dict(parser.envs), healthcheck, copies)


# ---- Kubernetes --------------------------------------------------------------


def expand_k8s(word: str, env: dict[str, str]) -> str:
    """`$(VAR)` expansion as the kubelet does it (`$$(X)` escapes)."""

    def repl(m: re.Match) -> str:
        if m.group(0).startswith("$$"):
            return m.group(0)[1:]
        return env.get(m.group(1), m.group(0))

    return re.sub(r"\$?\$\(([A-Za-z_][A-Za-z0-9_]*)\)", repl, word)


def kubernetes_argv(image: Image, container: dict, env: dict[str, str]) -> list[str]:
    command, args = container.get("command"), container.get("args")
    if command is not None:
        # command replaces ENTRYPOINT; without args, CMD is not used either.
        argv = list(command) + list(args or [])
    elif args is not None:
        if image.entrypoint_shell:
            argv = list(image.entrypoint or [])
        else:
            argv = list(image.entrypoint or []) + list(args)
    else:
        argv = image.default_argv()
    if not argv:
        raise DeployError("Kubernetes container has no command")
    return [expand_k8s(a, env) for a in argv]


@dataclass
class Target:
    name: str
    argv: list[str]
    env: dict[str, str]
    site_port: int
    metrics_port: int | None
    probe_paths: list[str]


def kubernetes_target(image: Image, folder: Path) -> Target:
    docs = []
    for f in sorted(folder.glob("*.yaml")):
        docs.extend(d for d in yaml.safe_load_all(f.read_text()) if d)
    config_maps = {
        d["metadata"]["name"]: d.get("data", {}) for d in docs if d.get("kind") == "ConfigMap"
    }
    deployments = [d for d in docs if d.get("kind") == "Deployment"]
    if len(deployments) != 1:
        raise DeployError(f"{folder}: expected one Deployment, found {len(deployments)}")
    pod = deployments[0]["spec"]["template"]
    container = pod["spec"]["containers"][0]
    env = dict(image.env)
    for source in container.get("envFrom", []):
        ref = source.get("configMapRef", {}).get("name")
        if ref not in config_maps:
            raise DeployError(f"envFrom names ConfigMap {ref!r}, which deploy/ does not define")
        env.update({k: str(v) for k, v in config_maps[ref].items()})
    for var in container.get("env", []):
        env[var["name"]] = expand_k8s(str(var.get("value", "")), env)
    ports = {p.get("name"): p["containerPort"] for p in container.get("ports", [])}
    probes = []
    for kind in ("startupProbe", "readinessProbe", "livenessProbe"):
        probe = container.get(kind, {}).get("httpGet")
        if probe:
            port = probe["port"]
            port = ports.get(port) if isinstance(port, str) else port
            if port != listen_port(env, "LEPTOS_SITE_ADDR"):
                raise DeployError(f"{kind} probes port {probe['port']} ({port}), not the site port")
            probes.append(probe["path"])
    annotations = pod.get("metadata", {}).get("annotations", {})
    metrics_port = listen_port(env, "METRICS_ADDR")
    if annotations.get("prometheus.io/scrape") == "true":
        scraped = int(annotations.get("prometheus.io/port", "0"))
        if scraped != metrics_port:
            raise DeployError(
                f"Prometheus scrapes port {scraped}, but METRICS_ADDR listens on {metrics_port}"
            )
    if ports.get("http") != listen_port(env, "LEPTOS_SITE_ADDR"):
        raise DeployError("containerPort `http` is not the port LEPTOS_SITE_ADDR listens on")
    return Target(
        "kubernetes",
        kubernetes_argv(image, container, env),
        env,
        ports["http"],
        metrics_port,
        probes,
    )


# ---- Nomad -------------------------------------------------------------------


def unquote(value):
    """python-hcl2 keeps string quotes; strip them, recursively."""
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    if isinstance(value, list):
        return [unquote(v) for v in value]
    if isinstance(value, dict):
        return {unquote(k): unquote(v) for k, v in value.items() if not k.startswith("__")}
    return value


def labelled(blocks: list[dict]) -> list[tuple[str, dict]]:
    return [(label, body) for block in blocks for label, body in block.items()]


def nomad_argv(image: Image, config: dict) -> list[str]:
    entrypoint = config.get("entrypoint")
    command, args = config.get("command"), config.get("args")
    if command:
        cmd = [command] + list(args or [])
    elif args:
        cmd = list(args)
    else:
        cmd = None
    return docker_argv(image, entrypoint, cmd)


def nomad_target(image: Image, path: Path) -> Target:
    with path.open() as f:
        job = unquote(hcl2.load(f))
    (_, job_body), = labelled(job["job"])
    (_, group), = labelled(job_body["group"])
    (_, task), = labelled(group["task"])
    if task.get("driver") != "docker":
        raise DeployError(f"{path}: only the docker driver is checked")
    config = task["config"][0]
    env = dict(image.env)
    for block in task.get("env", []):
        env.update({k: str(v) for k, v in block.items()})
    ports = {}
    for network in group.get("network", []):
        for label, body in labelled(network.get("port", [])):
            ports[label] = body.get("to")
    site_port = listen_port(env, "LEPTOS_SITE_ADDR")
    if ports.get("http") != site_port:
        raise DeployError(f"network port `http` maps to {ports.get('http')}, the site listens on {site_port}")
    metrics_port = listen_port(env, "METRICS_ADDR")
    probes = []
    for service in group.get("service", []):
        target_port = ports.get(service.get("port"))
        for check in service.get("check", []):
            if check.get("type") != "http":
                continue
            if target_port == site_port:
                probes.append(check["path"])
            elif target_port != metrics_port:
                raise DeployError(f"check {check.get('name')} probes a port nothing listens on")
    return Target("nomad", nomad_argv(image, config), env, site_port, metrics_port, probes)


# ---- running it --------------------------------------------------------------


def listen_port(env: dict[str, str], name: str) -> int | None:
    value = env.get(name, "").strip()
    if not value or value.lower() == "off":
        return None
    return int(value.rsplit(":", 1)[1])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def to_host(value: str, image: Image, repo: Path) -> str:
    """A path inside the image as the build output it was copied from."""
    for inside in sorted(image.copies, key=len, reverse=True):
        if value == inside or value.startswith(inside.rstrip("/") + "/"):
            return str(repo / image.copies[inside]) + value[len(inside):]
    return value


def http_status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code
    except OSError:
        return 0


def run(target: Target, image: Image, repo: Path) -> None:
    argv = [to_host(a, image, repo) for a in target.argv]
    if not os.access(argv[0], os.X_OK):
        raise DeployError(f"{target.name}: runs {target.argv!r}: {argv[0]} is not an executable")
    env = {k: to_host(v, image, repo) for k, v in target.env.items()}
    site = f"127.0.0.1:{free_port()}"
    env["LEPTOS_SITE_ADDR"] = site
    metrics = None
    if target.metrics_port is not None:
        metrics = f"127.0.0.1:{free_port()}"
        env["METRICS_ADDR"] = metrics
    print(f"{target.name}: {shlex.join(target.argv)}  (as {shlex.join(argv)})")
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while http_status(f"http://{site}/readyz") != 200:
            if proc.poll() is not None:
                err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
                raise DeployError(f"{target.name}: exited {proc.returncode} before /readyz answered\n{err}")
            if time.monotonic() > deadline:
                raise DeployError(f"{target.name}: /readyz did not answer 200 within 60 s")
            time.sleep(0.1)
        for path in target.probe_paths:
            status = http_status(f"http://{site}{path}")
            if status != 200:
                raise DeployError(f"{target.name}: probe {path} answered {status}")
        if http_status(f"http://{site}/metrics") != 404:
            raise DeployError(f"{target.name}: /metrics is served on the site port")
        if metrics and http_status(f"http://{metrics}/metrics") != 200:
            raise DeployError(f"{target.name}: no /metrics on METRICS_ADDR")
        if image.healthcheck:
            check = [to_host(a, image, repo) for a in image.healthcheck]
            done = subprocess.run(check, env=env, capture_output=True, timeout=30)
            if done.returncode != 0:
                raise DeployError(f"HEALTHCHECK {image.healthcheck!r} exited {done.returncode}")
        print(f"{target.name}: /readyz 200, probes {target.probe_paths} 200, metrics ok, healthcheck ok")
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


def self_test() -> None:
    """The rules above, on the cases that matter (the old files' bug first)."""
    cmd_only = Image(None, False, ["/app/microblog", "serve"], {}, None)
    assert kubernetes_argv(cmd_only, {"args": ["serve"]}, {}) == ["serve"]
    assert nomad_argv(cmd_only, {"args": ["serve"]}) == ["serve"]
    split = Image(["/app/microblog"], False, ["serve"], {}, None)
    assert kubernetes_argv(split, {"args": ["serve"]}, {}) == ["/app/microblog", "serve"]
    assert kubernetes_argv(split, {"command": ["/bin/true"]}, {}) == ["/bin/true"]
    assert kubernetes_argv(split, {}, {}) == ["/app/microblog", "serve"]
    assert kubernetes_argv(split, {"args": ["$(MODE)", "$$(X)"]}, {"MODE": "check"}) == [
        "/app/microblog",
        "check",
        "$(X)",
    ]
    assert nomad_argv(split, {"args": ["serve"]}) == ["/app/microblog", "serve"]
    assert nomad_argv(split, {"command": "/app/microblog", "args": ["check"]}) == [
        "/app/microblog",
        "/app/microblog",
        "check",
    ]
    assert nomad_argv(split, {"entrypoint": ["/bin/sh"], "args": ["-c", "x"]}) == ["/bin/sh", "-c", "x"]
    shell = Image(["/bin/sh", "-c", "exec /app/microblog"], True, ["ignored"], {}, None)
    assert docker_argv(shell, None, None) == ["/bin/sh", "-c", "exec /app/microblog"]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repo", type=Path, default=Path(__file__).resolve().parents[2])
    repo = ap.parse_args().repo
    self_test()
    try:
        image = parse_dockerfile(repo / "Dockerfile")
    except DeployError as e:
        print(f"FAIL {e}", file=sys.stderr)
        return 1
    targets = {
        "docker": lambda: Target(
            "docker",
            image.default_argv(),
            dict(image.env),
            listen_port(image.env, "LEPTOS_SITE_ADDR") or 0,
            listen_port(image.env, "METRICS_ADDR"),
            [],
        ),
        "kubernetes": lambda: kubernetes_target(image, repo / "deploy/kubernetes"),
        "nomad": lambda: nomad_target(image, repo / "deploy/nomad/microblog.nomad.hcl"),
    }
    failed = 0
    for name, target in targets.items():
        try:
            run(target(), image, repo)
        except (DeployError, KeyError, ValueError) as e:
            failed += 1
            print(f"FAIL {name}: {e}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
