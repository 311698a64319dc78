# shellcheck shell=bash
# Makes a Docker engine available for the container tests: installs Debian's docker.io (and
# busybox-static, used by the mock server's scratch image) when missing, and starts dockerd in
# the background when no engine answers. Needs root. Source it or run it.
if ! docker info >/dev/null 2>&1; then
  if ! command -v dockerd >/dev/null 2>&1 || [ ! -x /usr/bin/busybox ]; then
    echo "ensure-docker: installing docker.io and busybox-static"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq docker.io busybox-static >/dev/null
  fi
  echo "ensure-docker: starting dockerd"
  nohup /usr/sbin/dockerd >/tmp/ropkit-dockerd.log 2>&1 &
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && break
    sleep 1
  done
fi
docker info >/dev/null 2>&1 || { echo "ensure-docker: no Docker engine" >&2; tail -20 /tmp/ropkit-dockerd.log >&2; return 1 2>/dev/null || exit 1; }
echo "ensure-docker: $(docker version --format 'engine {{.Server.Version}}')"
