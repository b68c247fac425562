#!/usr/bin/env bash
# Install ntrkkg with the service and documentation extras, build the graph, and serve it on 127.0.0.1:8000.
# Graphviz (for the model diagram and the entity pictures) comes from Debian when this runs as root.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v dot >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends graphviz libseccomp2 >/dev/null
  else
    echo "quickstart: Graphviz's dot is missing and this is not root: run 'sudo apt-get install graphviz' (it draws the model diagram and the entity pictures), then run this again" >&2
    exit 1
  fi
fi
python3 -m venv .venv
.venv/bin/python -m pip install -q -e '.[serve,docs]'
.venv/bin/ntrkkg build
exec .venv/bin/ntrkkg serve "$@"
