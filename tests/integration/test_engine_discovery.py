"""Finding and choosing the engine: the engines found on this machine when the chosen one
does not answer (real unix sockets under a temporary HOME and XDG_RUNTIME_DIR, one that
answers and one that refuses), and --context, DOCKER_CONTEXT, the CLI's current context and
the ``engine`` setting against a real context made with `docker context create` in a
temporary DOCKER_CONFIG (the user's contexts are never touched)."""

from __future__ import annotations

import datetime
import ipaddress
import json
import os
import ssl
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO_ROOT
from engine_proxy import REAL_ENGINE, free_tcp_port, refusing_socket

from launcher.core.engine import Engine
from launcher.core.engine.discovery import found_engines, known_contexts

ENGINE_URL = f"unix://{REAL_ENGINE}"  # the engine this pass runs on (dockerd or Podman)


def cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "launcher", *args], capture_output=True,
                          text=True, timeout=120, cwd=REPO_ROOT, env=env,
                          stdin=subprocess.DEVNULL)


@pytest.fixture
def machine(sock_dir: Path, engine_proxies) -> dict[str, str]:
    """A HOME where Colima runs (a socket that answers: a proxy to the real engine) and
    OrbStack does not (its socket file is left, nobody accepts), and an XDG_RUNTIME_DIR with
    rootless Podman's socket, also answering."""
    home, runtime = sock_dir / "h", sock_dir / "r"
    (home / ".colima/default").mkdir(parents=True)
    (home / ".orbstack/run").mkdir(parents=True)
    (runtime / "podman").mkdir(parents=True)
    engine_proxies(home / ".colima/default/docker.sock").start()
    engine_proxies(runtime / "podman/podman.sock").start()
    refusing = refusing_socket(home / ".orbstack/run/docker.sock")
    env = dict(os.environ, HOME=str(home), XDG_RUNTIME_DIR=str(runtime),
               DOCKER_CONFIG=str(sock_dir / "docker-config"))
    yield env
    refusing.close()


def test_the_no_engine_error_lists_the_engines_found_here_and_how_to_start_each(
        engine: Engine, machine: dict[str, str], sock_dir: Path):
    home, runtime = machine["HOME"], machine["XDG_RUNTIME_DIR"]
    env = dict(machine, DOCKER_HOST=f"unix://{sock_dir}/gone.sock")
    result = cli("ps", env=env)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    message = result.stderr.strip()
    assert message.startswith(f"error: Docker engine not reachable: {sock_dir}/gone.sock does "
                              "not exist (the Docker daemon is not running).")
    assert (f"Colima answers at unix://{home}/.colima/default/docker.sock: choose it with "
            f"--context unix://{home}/.colima/default/docker.sock or "
            f"DOCKER_HOST=unix://{home}/.colima/default/docker.sock") in message
    assert (f"OrbStack at unix://{home}/.orbstack/run/docker.sock is not running: "
            "run `orb start`") in message
    assert f"Podman answers at unix://{runtime}/podman/podman.sock" in message
    assert "Rancher Desktop" not in message  # no socket of its own here: not listed
    assert message.count("\n") == 0

    found = {f.name: f for f in found_engines(env=env, home=Path(home))}
    assert found["Colima"].answers and found["Podman"].answers
    assert not found["OrbStack"].answers


def test_the_engine_found_answers_when_chosen_with_context(machine: dict[str, str],
                                                           engine: Engine):
    home = machine["HOME"]
    env = {k: v for k, v in machine.items() if k != "DOCKER_HOST"}
    result = cli("--context", f"{home}/.colima/default/docker.sock", "engine", env=env)
    assert result.returncode == 0, result.stderr
    kind = engine.description().split(" via ")[0]
    assert result.stdout.strip() == (
        f"{kind} via unix://{home}/.colima/default/docker.sock (--context)")


@pytest.fixture
def docker_context(tmp_path: Path) -> dict[str, str]:
    """A context named fl-test for the engine this pass runs on, in a DOCKER_CONFIG of the
    test's own; DOCKER_HOST unset so contexts decide."""
    config = tmp_path / "docker-config"
    config.mkdir()
    (config / "config.json").write_text("{}", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("DOCKER_HOST", "DOCKER_CONTEXT")}
    env["DOCKER_CONFIG"] = str(config)
    subprocess.run(["docker", "context", "create", "fl-test", "--docker", f"host={ENGINE_URL}"],
                   check=True, env=env, capture_output=True, timeout=30)
    return env


def current_context(env: dict[str, str]) -> str:
    return subprocess.run(["docker", "context", "show"], env=env, capture_output=True,
                          text=True, check=True, timeout=30).stdout.strip()


def test_context_chooses_a_docker_context_and_leaves_the_current_one(
        engine: Engine, docker_context: dict[str, str], monkeypatch):
    env = docker_context
    kind = engine.description().split(" via ")[0]
    result = cli("--context", "fl-test", "engine", env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"{kind} via {ENGINE_URL} (context fl-test)"
    assert cli("--context", "fl-test", "ps", env=env).returncode == 0
    assert current_context(env) == "default"
    monkeypatch.setenv("DOCKER_CONFIG", env["DOCKER_CONFIG"])  # what a chooser would list
    assert ("fl-test", ENGINE_URL) in known_contexts()

    missing = cli("--context", "no-such", "engine", env=env)
    assert missing.returncode == 1
    assert missing.stderr.strip() == (
        "error: Docker engine not reachable: there is no Docker context named 'no-such' "
        "(--context). List the contexts with `docker context ls` and choose one of them.")


def test_docker_context_the_current_context_and_the_engine_setting_are_followed(
        engine: Engine, docker_context: dict[str, str], tmp_path: Path):
    kind = engine.description().split(" via ")[0]
    expected = f"{kind} via {ENGINE_URL} (context fl-test)"
    # The default context points at /var/run/docker.sock; make that one fail, so only
    # following fl-test can answer.
    config = Path(docker_context["DOCKER_CONFIG"])
    env = dict(docker_context, FLASK_LAUNCHER_CONFIG_DIR=str(tmp_path / "launcher-config"))

    assert cli("engine", env=dict(env, DOCKER_CONTEXT="fl-test")).stdout.strip() == expected

    (config / "config.json").write_text(json.dumps({"currentContext": "fl-test"}))
    assert cli("engine", env=env).stdout.strip() == expected
    (config / "config.json").write_text("{}")

    settings_dir = tmp_path / "launcher-config"
    settings_dir.mkdir()
    (settings_dir / "settings.json").write_text(json.dumps({"engine": "fl-test"}))
    assert cli("engine", env=env).stdout.strip() == expected
    assert current_context(env) == "default"  # the launcher's choice is its own


def _certificates(folder: Path) -> ssl.SSLContext:
    """A CA, a server certificate for 127.0.0.1 and a client certificate, named as
    DOCKER_CERT_PATH holds them (ca.pem, cert.pem, key.pem); the server's TLS context, which
    asks for a client certificate signed by that CA (as dockerd --tlsverify)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.UTC)

    def issue(name: str, key, issuer_name: str, issuer_key, *, ca: bool = False,
              ip: str | None = None, client: bool = False) -> x509.Certificate:
        builder = (x509.CertificateBuilder()
                   .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
                   .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME,
                                                              issuer_name)]))
                   .public_key(key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(now - datetime.timedelta(minutes=5))
                   .not_valid_after(now + datetime.timedelta(days=1))
                   .add_extension(x509.BasicConstraints(ca=ca, path_length=None), True))
        if ip:
            builder = builder.add_extension(
                x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(ip))]), False)
        if client:
            builder = builder.add_extension(
                x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.CLIENT_AUTH]), False)
        return builder.sign(issuer_key, hashes.SHA256())

    def write(name: str, cert: x509.Certificate, key=None) -> None:
        (folder / f"{name}.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        if key is not None:
            (folder / f"{name}-key.pem").write_bytes(key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption()))

    folder.mkdir()
    ca_key, server_key, client_key = (ec.generate_private_key(ec.SECP256R1())
                                      for _ in range(3))
    ca = issue("test CA", ca_key, "test CA", ca_key, ca=True)
    write("ca", ca)
    write("server", issue("127.0.0.1", server_key, "test CA", ca_key, ip="127.0.0.1"),
          server_key)
    write("cert", issue("client", client_key, "test CA", ca_key, client=True), client_key)
    (folder / "cert-key.pem").rename(folder / "key.pem")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cafile=str(folder / "ca.pem"))
    context.verify_mode = ssl.CERT_REQUIRED
    context.load_cert_chain(folder / "server.pem", folder / "server-key.pem")
    return context


def test_a_tcp_engine_with_tls_connects_and_is_named(engine: Engine, engine_proxies,
                                                     tmp_path: Path):
    server_tls = _certificates(tmp_path / "certs")
    proxy = engine_proxies(tcp_port=free_tcp_port(), tls=server_tls).start()
    env = dict(os.environ, DOCKER_HOST=proxy.docker_host, DOCKER_TLS_VERIFY="1",
               DOCKER_CERT_PATH=str(tmp_path / "certs"))
    env.pop("DOCKER_CONTEXT", None)
    kind_and_version = engine.description().split(" via ")[0]
    result = cli("engine", env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"{kind_and_version} via {proxy.docker_host} with TLS (DOCKER_HOST)"]
    listed = cli("ps", env=env)
    assert listed.returncode == 0, listed.stderr
    assert proxy.accepted >= 2  # both went through the TLS listener

    without_tls = cli("engine", env=dict(env, DOCKER_TLS_VERIFY="", DOCKER_CERT_PATH=""))
    assert without_tls.returncode == 1
    assert without_tls.stderr.startswith(
        f"error: Docker engine not reachable: nothing answers at DOCKER_HOST="
        f"{proxy.docker_host}.")


def test_a_buildkit_dockerfile_builds_on_a_tls_engine_chosen_by_context(
        engine: Engine, engine_proxies, tmp_path: Path, docker_context: dict[str, str]):
    """The docker CLI that builds BuildKit syntax gets the context's TLS settings: the
    context's certificates are not in the environment the CLI inherits."""
    certs = tmp_path / "certs"
    proxy = engine_proxies(tcp_port=free_tcp_port(), tls=_certificates(certs)).start()
    env = docker_context
    subprocess.run(["docker", "context", "create", "fl-tls", "--docker",
                    f"host={proxy.docker_host},ca={certs / 'ca.pem'},cert={certs / 'cert.pem'},"
                    f"key={certs / 'key.pem'}"], check=True, env=env, capture_output=True,
                   timeout=30)
    project = tmp_path / "cached"
    project.mkdir()
    (project / "app.py").write_text("from flask import Flask\napp = Flask(__name__)\n")
    (project / "Dockerfile").write_text(
        f"FROM {os.environ['FLASK_LAUNCHER_BASE_IMAGE']}\n"
        "RUN --mount=type=cache,target=/tmp/cache echo cached > /tmp/cache/mark\n"
        'CMD ["python", "-m", "flask", "run", "--host=0.0.0.0"]\n')
    try:
        built = cli("--context", "fl-tls", "build", str(project), env=env)
        assert built.returncode == 0, built.stderr
        assert built.stdout.strip().startswith("flask-launcher/cached-")
        assert "building with BuildKit (docker CLI " in built.stderr
        assert "[2/2] RUN --mount=type=cache" in built.stderr
        assert proxy.accepted >= 2  # docker-py and the docker CLI, both through TLS
    finally:
        engine.prune_images(project)
