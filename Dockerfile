# MUSCode image: the API and the worker (same image, different command).
# Build: docker build -t muscode .   (not exercised in CI: no Docker engine there)
FROM node:20-bookworm-slim
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update && apt-get install -y --no-install-recommends \
      bubblewrap gcc g++ libc6-dev make python3 openjdk-17-jdk-headless php-cli golang-go rustc ruby \
      iproute2 util-linux ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --no-create-home --shell /usr/sbin/nologin muscode
WORKDIR /opt/muscode
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN make native ts web 2>/dev/null || make native ts
ENV HOST=0.0.0.0 DATA_DIR=/var/lib/muscode
EXPOSE 3000
# The supervisor needs root (cgroups, slot uids); HTTP and queue traffic run as `muscode`.
ENTRYPOINT ["bin/muscode"]
CMD ["serve"]
