#!/bin/bash
# The image's entry point (under tini): delegates cgroup v2 to the engine, then runs bin/muscode.
#
# cgroup v2 (production kernels): with a cgroup namespace of its own (Docker's and podman's
# default on v2, Kubernetes' always) the container sees its own cgroup as /sys/fs/cgroup. When the
# runtime made it writable for us (a user-namespaced container, or Docker's `--cgroupns=private`
# with a writable cgroup mount), the "no internal processes" rule still stops the engine from
# enabling controllers for children while processes live in that cgroup: move them into a leaf,
# `init`, and hand the root to the engine (CGROUP_V2_ROOT). cgroup v1: nothing to do here (the
# operator bind-mounts delegated subtrees, docs/deployment.md).
# Not exercised on the machine the tests run on (its kernel is cgroup v1/hybrid).
set -euo pipefail
cg=/sys/fs/cgroup
if [ "$(stat -f -c %T "$cg" 2>/dev/null)" = cgroup2fs ] && [ -z "${CGROUP_V2_ROOT:-}" ] && [ -w "$cg/cgroup.subtree_control" ]; then
  mkdir -p "$cg/init"
  # Every process of the container (tini and this shell) moves; a process exiting meanwhile is fine.
  while read -r pid; do echo "$pid" > "$cg/init/cgroup.procs" 2>/dev/null || true; done < "$cg/cgroup.procs"
  export CGROUP_V2_ROOT="$cg"
fi
exec /opt/muscode/bin/muscode "$@"
