# MUSCode image for builds with a registry (`docker build -t localhost/muscode:latest .`). Without
# one, `make image` builds the same layout from Debian packages with mmdebstrap and podman
# (scripts/image/build.sh, deploy/image/Containerfile); `make image-test` runs that image under
# the least privilege documented in docs/deployment.md. Keep the two in step: same packages
# (the Makefile's list), /opt/muscode, tini + deploy/image/entrypoint.sh, the `muscode` user.
FROM node:20-bookworm-slim
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update && apt-get install -y --no-install-recommends \
      bubblewrap gcc g++ libc6-dev make python3 openjdk-17-jdk-headless php-cli golang-go rustc ruby \
      perl gawk tcl8.6 iproute2 util-linux xz-utils zip ca-certificates tini \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --no-create-home --shell /usr/sbin/nologin muscode \
    && mkdir -p /var/lib/muscode
WORKDIR /opt/muscode
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN make native ts web && cp deploy/image/entrypoint.sh deploy/image/seccomp.json /opt/muscode/
ENV HOST=0.0.0.0 DATA_DIR=/var/lib/muscode NODE_ENV=production
EXPOSE 3000 9464
# The supervisor keeps root (cgroups, slot uids, box mounts); HTTP and queue traffic are parsed
# by its child as `muscode`. tini reaps and forwards SIGTERM; entrypoint.sh delegates cgroup v2.
ENTRYPOINT ["/usr/bin/tini", "--", "/opt/muscode/entrypoint.sh"]
CMD ["serve"]
