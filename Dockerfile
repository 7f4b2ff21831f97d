# syntax=docker/dockerfile:1
# An image holding only with-role-creds and a CA bundle (for STS over https), to copy into other images:
#
#   COPY --from=ghcr.io/OWNER/with-role-creds:0.2.0 /with-role-creds /usr/local/bin/
#
# or to run as it is (`docker run --rm IMAGE --version`). The binary is a static PIE and needs nothing else but
# /proc, which every container has. Built from a release tarball in dist/, checked against dist/SHA256SUMS: the
# one scripts/package made on this machine, or a release's files downloaded into dist/, which hold every
# architecture (buildx then takes each platform's tarball; scripts/arch maps Docker's TARGETARCH to its name):
#
#   docker buildx build --platform linux/amd64,linux/arm64 --build-arg VERSION=0.2.0 -t with-role-creds:0.2.0 .
#
# Not built by this repository's tests (no container runtime on the build host); the release workflow does not
# publish it either.
ARG VERSION=0.0.0-dev

FROM debian:bookworm-slim AS unpack
ARG VERSION
ARG TARGETARCH
RUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/*
COPY scripts/arch /tmp/arch
COPY dist/ /tmp/dist/
# hadolint ignore=SC1091
RUN set -eu; WRC_MACHINE="$TARGETARCH" . /tmp/arch; \
    name="with-role-creds-$VERSION-linux-$WRC_ARCH"; \
    cd /tmp/dist && grep "  $name.tar.gz\$" SHA256SUMS | sha256sum -c - \
    && tar -xzf "$name.tar.gz" "$name/with-role-creds" && install -m 0755 "$name/with-role-creds" /with-role-creds

FROM scratch
COPY --from=unpack /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=unpack /with-role-creds /with-role-creds
ENTRYPOINT ["/with-role-creds"]
