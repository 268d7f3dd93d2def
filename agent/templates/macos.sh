#!/usr/bin/env bash
# Remote support agent installer for macOS (served as a .dmg name, but it is a bash script).
# Start it with:  sudo bash <this file>
# It unpacks the support agent into a private temporary folder, checks it against the SHA-256 below,
# and runs it with this computer's Node.js (18 or newer) or a Node.js runtime it downloads and checks.
# Quick support: the agent runs until the session ends or you press Ctrl-C, then removes every file.
# Persistent: the agent is installed as a launchd daemon (remove it with the uninstall command shown).
set -euo pipefail
umask 077

readonly PORTAL_URL='@@QS_PORTAL_URL@@'
readonly INSTALLER_TOKEN='@@QS_INSTALLER_TOKEN@@'
readonly BRAND_NAME='@@QS_BRAND_NAME@@'
readonly MODE='@@QS_MODE@@'
readonly LANGUAGE='@@QS_LANGUAGE@@'
readonly AGENT_SHA256='@@QS_AGENT_SHA256@@'
readonly NODE_MIRROR_URL='@@QS_NODE_MIRROR_URL@@'
readonly NODE_DIST_URL='https://nodejs.org/dist'
readonly NODE_LINE='latest-v24.x'
readonly MIN_NODE_MAJOR=18

WORK_DIR=''
NODE_BIN=''

say() { printf '[%s] %s\n' "$BRAND_NAME" "$*"; }
fail() {
  printf '[%s] %s\n' "$BRAND_NAME" "$*" >&2
  exit 1
}

cleanup() {
  if [ -n "$WORK_DIR" ] && [ -d "$WORK_DIR" ]; then rm -rf -- "$WORK_DIR"; fi
}

check_elevation() {
  if [ "$(id -u)" -ne 0 ]; then
    fail "This installer needs administrator rights: start it again with  sudo bash $0"
  fi
}

sha256_of() { shasum -a 256 "$1" | cut -d ' ' -f 1; }

fetch() { # fetch <url> <file> [progress]
  if command -v curl >/dev/null 2>&1; then
    if [ "${3:-}" = progress ]; then
      curl --fail --location --proto '=https,http' --progress-bar -o "$2" "$1"
    else
      curl --fail --location --proto '=https,http' --silent --show-error -o "$2" "$1"
    fi
  elif command -v wget >/dev/null 2>&1; then
    if [ "${3:-}" = progress ]; then wget -q --show-progress -O "$2" "$1"; else wget -q -O "$2" "$1"; fi
  else
    return 127
  fi
}

node_major() { # prints the major version of a node binary, or 0
  "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0
}

# The physical path of an existing file: symbolic links (of the file and its folders) resolved.
real_path() {
  local p=$1 link n=0 dir
  while [ -L "$p" ]; do
    n=$((n + 1))
    [ "$n" -le 40 ] || return 1
    link=$(readlink -- "$p") || return 1
    case "$link" in /*) p=$link ;; *) p="$(dirname -- "$p")/$link" ;; esac
  done
  [ -e "$p" ] || return 1
  dir=$(cd -P -- "$(dirname -- "$p")" 2>/dev/null && pwd -P) || return 1
  printf '%s/%s\n' "${dir%/}" "$(basename -- "$p")"
}

# root_only <physical path> [sticky-ok]: whether the path and every folder above it are owned by root
# and writable by nobody else, i.e. nobody but root can change or swap what root is about to run.
# With sticky-ok, a root-owned folder with the sticky bit (like /tmp) counts as safe: others may add
# entries there but cannot rename, remove or change ours, whose owner is checked one step down (the
# same rule as the agent's own check of its runtime, agent/src/service/root-only-path.ts).
# An ACL ('+') counts as loose: it may grant someone else write access.
root_only() {
  local p=$1 sticky=${2:-} perms uid rest
  while :; do
    read -r perms _ uid rest <<<"$(LC_ALL=C ls -ldn -- "$p" 2>/dev/null)" || return 1
    [ "$uid" = 0 ] || return 1
    case "$perms" in *+) return 1 ;; esac
    if [ "${perms:5:1}" = w ] || [ "${perms:8:1}" = w ]; then
      [ "$sticky" = sticky-ok ] && [ -d "$p" ] && case "${perms:9:1}" in t | T) true ;; *) false ;; esac || return 1
    fi
    [ "$p" = / ] && return 0
    p=$(dirname -- "$p")
  done
}

# The first node on PATH, only if it is Node.js 18+ and nobody but root can change it: this script
# runs it as root, so a node in (or linked from) a user's folder would hand that user root.
find_node() {
  local candidate major
  candidate=$(command -v node 2>/dev/null || true)
  case "$candidate" in /*) ;; *) return 1 ;; esac
  candidate=$(real_path "$candidate") || return 1
  if ! root_only "$candidate" sticky-ok; then
    say "Not using $candidate: someone other than root could change it."
    return 1
  fi
  major=$(node_major "$candidate")
  case "$major" in '' | *[!0-9]*) return 1 ;; esac
  [ "$major" -ge "$MIN_NODE_MAJOR" ] || return 1
  NODE_BIN=$candidate
}

# A folder for the work files that only root can change. sudo may keep the user's TMPDIR, and a
# user who owns it could swap the agent or runtime between their checksum and their use: it is
# used only when root alone can change it, else /tmp.
work_parent() {
  local dir
  if [ -n "${TMPDIR:-}" ] && dir=$(cd -P -- "$TMPDIR" 2>/dev/null && pwd -P) && root_only "$dir" sticky-ok; then
    printf '%s\n' "$dir"
  else
    (cd -P /tmp && pwd -P) # physical (macOS: /private/tmp), as the agent sees its own path
  fi
}

download_node() { # download_node [why]
  local base arch sums line file sum actual
  base=${NODE_MIRROR_URL:-$NODE_DIST_URL}
  base="${base%/}/$NODE_LINE"
  case "$(uname -m)" in
    x86_64) arch=x64 ;;
    arm64) arch=arm64 ;;
    *) fail "Node.js 18 or newer is needed and none is available for this processor: install Node.js, then run this again." ;;
  esac
  say "${1:-No Node.js ${MIN_NODE_MAJOR}+ that only root can change was found}; downloading a private Node.js runtime."
  sums="$WORK_DIR/SHASUMS256.txt"
  fetch "$base/SHASUMS256.txt" "$sums" ||
    fail "Node.js 18 or newer is needed and could not be downloaded: install Node.js (https://nodejs.org or Homebrew), then run this again."
  line=$(grep -E "^[0-9a-f]{64}  node-v[0-9]+\.[0-9]+\.[0-9]+-darwin-$arch\.tar\.gz\$" "$sums" | head -n 1 || true)
  [ -n "$line" ] || fail "The Node.js download list has no runtime for this computer: install Node.js 18 or newer, then run this again."
  sum=${line%% *}
  file=${line##* }
  fetch "$base/$file" "$WORK_DIR/$file" progress ||
    fail "The Node.js runtime could not be downloaded: install Node.js 18 or newer, then run this again."
  actual=$(sha256_of "$WORK_DIR/$file")
  [ "$actual" = "$sum" ] || fail "The downloaded Node.js runtime failed its checksum and was not used."
  mkdir "$WORK_DIR/node"
  # --no-same-owner: root's, not the uid stored in the tarball.
  tar -xzf "$WORK_DIR/$file" -C "$WORK_DIR/node" --strip-components=1 --no-same-owner
  rm -f -- "$WORK_DIR/$file" "$sums"
  NODE_BIN="$WORK_DIR/node/bin/node"
  [ "$(node_major "$NODE_BIN")" -ge "$MIN_NODE_MAJOR" ] || fail "The downloaded Node.js runtime does not run here: install Node.js 18 or newer, then run this again."
}

unpack_agent() {
  local actual
  agent_bundle_b64 >"$WORK_DIR/agent.b64"
  # macOS 13+ base64 takes -d; older releases only -D.
  base64 -d -i "$WORK_DIR/agent.b64" -o "$WORK_DIR/agent.js" 2>/dev/null ||
    base64 -D -i "$WORK_DIR/agent.b64" -o "$WORK_DIR/agent.js" ||
    fail "The support agent could not be unpacked."
  rm -f -- "$WORK_DIR/agent.b64"
  actual=$(sha256_of "$WORK_DIR/agent.js")
  [ "$actual" = "$AGENT_SHA256" ] || fail "The support agent failed its integrity check; download the installer again."
}

main() {
  check_elevation
  WORK_DIR=$(mktemp -d "$(work_parent)/qs-agent.XXXXXXXXXX")
  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  unpack_agent
  if [ "$MODE" = persistent ]; then
    # The service always gets the downloaded, checksummed runtime: a node on PATH (Homebrew's above
    # all) loads shared libraries (dylibs) from folders its owner can change, and only the binary
    # itself would be copied into the program folder.
    download_node "The service gets its own Node.js runtime"
  else
    find_node || download_node
  fi
  if [ "$MODE" = persistent ]; then
    local prefix_args=()
    # Packaging and tests install into a scratch root without touching the service manager.
    if [ -n "${QS_INSTALL_PREFIX:-}" ]; then prefix_args=(--prefix "$QS_INSTALL_PREFIX" --no-start); fi
    say "Installing the support agent as a service…"
    QS_INSTALLER_TOKEN="$INSTALLER_TOKEN" "$NODE_BIN" "$WORK_DIR/agent.js" install \
      --portal "$PORTAL_URL" --brand "$BRAND_NAME" --lang "$LANGUAGE" --work-dir "$WORK_DIR" ${prefix_args[@]+"${prefix_args[@]}"}
  else
    say "Starting the support agent. Keep this window open; press Ctrl-C to end the session."
    QS_INSTALLER_TOKEN="$INSTALLER_TOKEN" "$NODE_BIN" "$WORK_DIR/agent.js" run --mode quick \
      --portal "$PORTAL_URL" --brand "$BRAND_NAME" --lang "$LANGUAGE" --work-dir "$WORK_DIR"
  fi
}

# The agent bundle (base64). Kept last so that a partly downloaded file never runs: main is called below.
agent_bundle_b64() {
  printf '%s' '@@QS_AGENT_BUNDLE_B64@@'
}

main "$@"
