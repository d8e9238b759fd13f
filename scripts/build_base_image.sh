#!/usr/bin/env bash
# Build the offline Python base image from Debian packages, once per machine.
#
# No container registry is reachable on our CI machines, so `FROM python:3.12-slim` cannot be
# pulled there. This image stands in for it in tests: point the launcher at it with
#   FLASK_LAUNCHER_BASE_IMAGE=flask-launcher-base:bookworm
# It has python/pip/venv, the host's CA bundle (so pip inside a build can reach the package
# index through the same TLS setup as the host), and PIP_BREAK_SYSTEM_PACKAGES=1 because
# Debian's pip refuses to install into the system Python otherwise.
# ENGINE_CLI=podman builds it into Podman instead (scripts/podman_engine.py does).
set -euo pipefail
name="${1:-flask-launcher-base:bookworm}"
cli="${ENGINE_CLI:-docker}"
if "$cli" image inspect "$name" >/dev/null 2>&1; then
    echo "==> base image $name already present"
    exit 0
fi
if ! command -v mmdebstrap >/dev/null; then
    if [ "$(id -u)" = 0 ] && [ -f /etc/debian_version ]; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mmdebstrap >/dev/null
    else
        echo "mmdebstrap is missing: sudo apt-get install mmdebstrap" >&2
        exit 1
    fi
fi
echo "==> building base image $name from Debian packages (about 30 s)"
mmdebstrap --quiet --variant=minbase \
    --include=python3,python3-pip,python3-venv,python-is-python3,ca-certificates,passwd \
    --customize-hook='copy-in /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs' \
    --customize-hook='rm -rf "$1"/var/cache/apt/archives/*.deb "$1"/var/lib/apt/lists/*' \
    bookworm - \
  | "$cli" import \
      --change 'ENV PIP_BREAK_SYSTEM_PACKAGES=1' \
      --change 'ENV LANG=C.UTF-8' \
      --change 'CMD ["python3"]' \
      - "$name" >/dev/null
echo "==> base image $name ready"
