#!/usr/bin/env bash
# `make image-test`: runs the image built by `make image` under podman with the least privilege
# that docs/deployment.md documents, and shows that each privilege is needed:
#   1. the engine's self-test, every language, inside the container;
#   2. the same with each privilege taken away in turn: it must fail;
#   3. hostile programs through `muscode run` (fork bomb, memory hog, network, stragglers, host files);
#   4. cluster mode from the image: `migrate`, `serve` and `worker` containers against this
#      machine's PostgreSQL and Redis (a database and a key prefix of its own), a run through the
#      API, the worker's readiness probe;
#   5. the hostile suite (test/hostile) run by vitest inside the container.
# Everything it creates (containers, cgroups, the database, Redis keys) is removed on exit.
# Not part of `make test`: the first image build downloads ~600 MB of Debian packages and takes
# about 6 minutes here (docs/deployment.md).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$here"
TAG="${IMAGE_TAG:-localhost/muscode:latest}"
id="imgtest-$$-$RANDOM"
fails=0
pass() { echo "  ok   $*"; }
fail() { echo "  FAIL $*"; fails=$((fails + 1)); }

podman image exists "$TAG" || { echo "image-test: $TAG is not built (make image)" >&2; exit 1; }

# This host's kernel: cgroup v1 controllers (a hybrid host: crun refuses it, runc works). The
# container runs in a user namespace: its root is host uid $MAP_BASE, so the cgroup subtrees it
# gets are chowned to that uid (the v1 form of delegation).
MAP_BASE=$((1000000 + ($$ % 100) * 131072))
cgdirs=()
cleanup() {
  set +e
  for c in $(podman ps -a --filter "label=muscode-image-test=$id" -q); do podman rm -f -t 2 "$c" >/dev/null 2>&1; done
  for d in "${cgdirs[@]}"; do find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null; done
  [ -n "${dbname:-}" ] && psql -q "postgres://postgres:postgres@127.0.0.1:5432/test" -c "DROP DATABASE IF EXISTS $dbname WITH (FORCE)" >/dev/null 2>&1
  [ -n "${prefix:-}" ] && redis-cli -h 127.0.0.1 --scan --pattern "$prefix*" | xargs -r redis-cli -h 127.0.0.1 del >/dev/null
}
trap cleanup EXIT

CG=()
if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
  echo "image-test: this host has cgroup v2 only; see docs/deployment.md (the entry point delegates the container's own cgroup)"
else
  for c in memory pids cpuacct; do
    d=/sys/fs/cgroup/$c/muscode-$id
    mkdir "$d" && chown -R "$MAP_BASE:$MAP_BASE" "$d" && cgdirs+=("$d")
    CG+=(-v "$d:/sys/fs/cgroup/$c:rw")
  done
fi

# The documented least privilege (docs/deployment.md "Podman").
CAPS=(SYS_ADMIN SETUID SETGID CHOWN DAC_OVERRIDE FOWNER KILL)
# 131072 ids: the slot uids (SANDBOX_UID_BASE + n, 60000 by default; the tests use up to ~68000)
# must be mapped in the container's user namespace.
userns=(--uidmap "0:$MAP_BASE:131072" --gidmap "0:$MAP_BASE:131072")
seccomp=(--security-opt "seccomp=$here/deploy/image/seccomp.json")
unmask=(--security-opt "unmask=/proc/*")
# This machine's hard limits are below podman's defaults and we lack CAP_SYS_RESOURCE to raise them.
limits=(--ulimit nofile=4096:4096 --ulimit nproc=8192:8192)
joined() { local IFS=,; echo "$*"; }
run() { podman --runtime runc run --rm --label "muscode-image-test=$id" "${limits[@]}" "${CG[@]}" "$@"; }
least() { run "${userns[@]}" --cap-drop ALL --cap-add "$(joined "${CAPS[@]}")" "${seccomp[@]}" "${unmask[@]}" --read-only --tmpfs /run --tmpfs /tmp --tmpfs /var/lib/muscode "$@"; }

echo "1. self-test, least privilege"
t0=$(date +%s)
if out=$(least "$TAG" selftest 2>&1); then pass "$(echo "$out" | tail -1)"; else fail "selftest: $out"; echo "image-test: without a working baseline the checks below prove nothing" >&2; exit 1; fi
echo "   ($(($(date +%s) - t0)) s)"

echo "2. each privilege taken away breaks the sandbox"
try_without() { # $1 label, rest: podman flags replacing the least set
  local label=$1; shift
  if run "$@" "$TAG" selftest bash >/dev/null 2>&1; then fail "still works without $label"; else pass "needs $label"; fi
}
for cap in SYS_ADMIN SETUID SETGID CHOWN DAC_OVERRIDE FOWNER; do
  rest=(); for c in "${CAPS[@]}"; do [ "$c" != "$cap" ] && rest+=("$c"); done
  try_without "CAP_$cap" "${userns[@]}" --cap-drop ALL --cap-add "$(joined "${rest[@]}")" "${seccomp[@]}" "${unmask[@]}"
done
try_without "an unmasked /proc" "${userns[@]}" --cap-drop ALL --cap-add "$(joined "${CAPS[@]}")" "${seccomp[@]}"
try_without "seccomp allowing sethostname/chroot (podman's profile minus them)" "${userns[@]}" --cap-drop ALL --cap-add "$(joined "${CAPS[@]}")" \
  --security-opt "seccomp=$(node -e '
    const p = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    p.syscalls = p.syscalls.filter((r) => !r.names.includes("sethostname"));
    const f = require("os").tmpdir() + "/muscode-seccomp-nohost.json"; require("fs").writeFileSync(f, JSON.stringify(p)); console.log(f);' deploy/image/seccomp.json)" "${unmask[@]}"
# CAP_KILL: the CPU-time watchdog SIGKILLs a run's processes (slot uids); without it only the
# RLIMIT_CPU backstop (SIGXCPU, seconds later) stops a spinning program.
spin() {
  run "${userns[@]}" --cap-drop ALL --cap-add "$1" "${seccomp[@]}" "${unmask[@]}" --entrypoint /bin/bash "$TAG" \
    -c 'echo "while :; do :; done" > /tmp/spin.sh; /opt/muscode/bin/muscode run /tmp/spin.sh --json --time-limit 500' 2>&1 || true
}
rest=(); for c in "${CAPS[@]}"; do [ "$c" != KILL ] && rest+=("$c"); done
with=$(spin "$(joined "${CAPS[@]}")"); without=$(spin "$(joined "${rest[@]}")")
if echo "$with" | grep -q '"signal":"SIGKILL"' && ! echo "$without" | grep -q '"signal":"SIGKILL"'; then pass "needs CAP_KILL (the CPU watchdog's SIGKILL)"
else fail "CAP_KILL: with $(echo "$with" | head -c 300) / without $(echo "$without" | head -c 300)"; fi
if [ ${#CG[@]} -gt 0 ]; then
  CGSAVE=("${CG[@]}"); CG=()
  try_without "writable cgroups" "${userns[@]}" --cap-drop ALL --cap-add "$(joined "${CAPS[@]}")" "${seccomp[@]}" "${unmask[@]}"
  CG=("${CGSAVE[@]}")
fi

echo "3. hostile programs inside the container"
hostile() { # $1 label, $2 file name, $3 source, $4 jq-free check (grep -E on the JSON)
  local label=$1 name=$2 src=$3 want=$4 out
  out=$(least --entrypoint /bin/bash "$TAG" -c "cat > /tmp/$name <<'SRC'
$src
SRC
exec /opt/muscode/bin/muscode run /tmp/$name --json --wall-limit 5000" 2>&1 || true)
  if echo "$out" | grep -Eq "$want"; then pass "$label"; else fail "$label: $(echo "$out" | head -c 600)"; fi
}
hostile "fork bomb is held (pids limit, then the time limit)" bomb.sh ':(){ :|:& };: ; sleep 1; echo survived' '"status":"(ok|runtime_error|time_limit|wall_time_limit|killed)"'
hostile "memory hog ends memory_limit" hog.py 'b = bytearray(2**34)' '"status":"memory_limit"'
hostile "no network inside the sandbox" net.py 'import socket
s = socket.socket(); s.settimeout(2)
try:
    s.connect(("1.1.1.1", 80)); print("CONNECTED")
except OSError as e:
    print("refused", e.errno)' 'refused'
hostile "host files stay out of reach" files.sh 'cat /etc/shadow /proc/1/environ 2>&1 | head -2; ls /opt/muscode 2>&1; echo done' 'No such file|Permission denied'
hostile "background processes do not outlive the run" straggle.sh '(sleep 300 &) ; echo started' '"status":"ok"'

echo "4. cluster mode from the image (PostgreSQL, Redis on this machine)"
dbname="muscode_img_$(echo "$id" | tr -c 'a-z0-9' _ | cut -c1-30)"
prefix="muscode-image-test-$id"
psql -q "postgres://postgres:postgres@127.0.0.1:5432/test" -c "CREATE DATABASE $dbname" >/dev/null
port=$((20000 + $$ % 20000)); mport=$((port + 1))
secret=$(head -c 32 /dev/urandom | base64 | tr -d '/+=' | head -c 40)
env=(-e "DATABASE_URL=postgres://postgres:postgres@127.0.0.1:5432/$dbname" -e REDIS_URL=redis://127.0.0.1:6379 -e "REDIS_KEY_PREFIX=$prefix"
     -e "JWT_SECRET=$secret-a" -e "JWT_REFRESH_SECRET=$secret-b" -e HOST=127.0.0.1 -e SANDBOX_SLOTS=2 -e ANONYMOUS_EXECUTE=1)
if least --network host "${env[@]}" "$TAG" migrate >/dev/null 2>&1; then pass "migrate"; else fail "migrate"; fi
api=$(least -d --network host "${env[@]}" -e "PORT=$port" "$TAG" serve)
wrk=$(least -d --network host "${env[@]}" -e "WORKER_METRICS_PORT=$mport" "$TAG" worker)
for _ in $(seq 1 60); do curl -fs "http://127.0.0.1:$port/api/v1/health" >/dev/null && curl -fs "http://127.0.0.1:$mport/health/ready" >/dev/null && break; sleep 1; done
if curl -fs "http://127.0.0.1:$mport/health/ready" | grep -q '"ready":true'; then pass "worker ready (database, Redis, sandbox self-test)"; else fail "worker not ready: $(curl -s "http://127.0.0.1:$mport/health/ready"; podman logs "$wrk" 2>&1 | tail -5)"; fi
res=$(curl -s -X POST "http://127.0.0.1:$port/api/v1/execute?wait=true" -H 'content-type: application/json' \
  -d '{"language":"python","code":"print(sum(range(10)))"}')
if echo "$res" | grep -q '"stdout":"45\\n"'; then pass "a run through the API in the container, executed by the worker container"; else fail "run: $res $(podman logs "$api" 2>&1 | tail -5)"; fi

echo "5. the hostile suite (test/hostile, vitest) inside the container, the checkout mounted read-only"
[ -d node_modules/.vite-temp ] || mkdir -p node_modules/.vite-temp node_modules/.vite
if out=$(run "${userns[@]}" --cap-drop ALL --cap-add "$(joined "${CAPS[@]}")" "${seccomp[@]}" "${unmask[@]}" \
    -v "$here:/src:ro" --tmpfs /src/node_modules/.vite-temp --tmpfs /src/node_modules/.vite -w /src -e CI=true -e NO_COLOR=1 \
    --entrypoint /usr/bin/node "$TAG" node_modules/vitest/vitest.mjs run test/hostile 2>&1); then
  pass "$(echo "$out" | grep -E '^ +Tests ' | tr -s ' ')"
else fail "hostile suite: $(echo "$out" | grep -E '×|FAIL' | head -20)"; fi

echo
if [ $fails -eq 0 ]; then echo "image-test: all passed"; else echo "image-test: $fails failed"; exit 1; fi
