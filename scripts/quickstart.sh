#!/usr/bin/env bash
# Install ntrkkg with the service and documentation extras, build the graph, and serve it on 127.0.0.1:8000.
# Graphviz (the model diagram and entity pictures) and libseccomp (engine confinement) come from Debian when run as root.
set -euo pipefail
cd "$(dirname "$0")/.."
need_apt=()
command -v dot >/dev/null 2>&1 || need_apt+=(graphviz)
ldconfig -p 2>/dev/null | grep -q 'libseccomp.so.2 ' || need_apt+=(libseccomp2)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
  else
    echo "quickstart: missing ${need_apt[*]} and this is not root: run 'sudo apt-get install ${need_apt[*]}' (Graphviz draws the model diagram and the entity pictures; libseccomp confines the query engines), then run this again" >&2
    exit 1
  fi
fi
python3 -m venv .venv
.venv/bin/python -m pip install -q -e '.[serve,docs]'
.venv/bin/ntrkkg build
exec .venv/bin/ntrkkg serve "$@"
