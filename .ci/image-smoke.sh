#!/usr/bin/env bash
# Container image smoke test, without a Docker daemon:
#   1. builds a Debian 12 + OpenJDK 17 JRE base image (debootstrap) as a `docker save` tar,
#   2. builds the gateway image on it with Jib (mvn -Pimage jib:buildTar),
#   3. runs ContainerImageIT, which unpacks that image, checks its bill of materials (/app/sbom/bom.cdx.json), runs
#      it with runc as its non-root user on the host network against a Kafka broker and an SMTP relay on loopback,
#      under the smallest memory limit of the k8s/ overlays, checks one mail end to end, then a load of small
#      requests and requests near GATEWAY_MAX_REQUEST_BYTES with attachments: every one SENT, no OOM kill,
#      readiness UP throughout,
#   4. reports the image size, the time to ready, the peak memory against the limit and how long all of it took.
# It installs packages and runs containers as root, so it only runs on a disposable machine.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)

if [ "${CI:-}" != "true" ] && [ "${MAIL_GATEWAY_DISPOSABLE_MACHINE:-}" != "true" ]; then
  echo "refusing to install packages and run containers on this machine: set CI=true or MAIL_GATEWAY_DISPOSABLE_MACHINE=true" >&2
  exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "needs root: debootstrap and runc create file systems and namespaces" >&2
  exit 1
fi
if ! grep -qs '^ID=debian' /etc/os-release; then
  echo "needs a Debian machine (apt-get, debootstrap)" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
missing=()
command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
command -v runc >/dev/null 2>&1 || missing+=(runc)
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}" ca-certificates
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/mail-gateway-image.XXXXXX")
CONTAINER_ID=mail-gateway-smoke
cleanup() {
  # The test removes its container itself; this catches a test JVM that died before it could.
  if [ -d "$WORK/run/runc-state" ]; then
    runc --root "$WORK/run/runc-state" delete --force "$CONTAINER_ID" >/dev/null 2>&1 || true
  fi
  # debootstrap mounts /proc and /sys inside the new root; never let rm walk into a mount.
  findmnt -rn -o TARGET | grep -F "$WORK/" | sort -r | xargs -r umount -l 2>/dev/null || true
  rm -rf --one-file-system "$WORK"
}
trap cleanup EXIT

# --- 1. base image: Debian 12 minbase + OpenJDK 17 JRE, as a docker-save tar Jib can build on -----------------
base_tar=${MAIL_GATEWAY_BASE_IMAGE_TAR:-}
if [ -z "$base_tar" ]; then
  echo "== base image: debootstrap bookworm + openjdk-17-jre-headless"
  t0=$(date +%s)
  # The machine's own Debian mirror, if apt has one configured; otherwise debootstrap's default.
  mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  [ -n "$mirror" ] || mirror=$(awk '$1 == "deb" && $3 ~ /^bookworm$/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
  rootfs="$WORK/base-rootfs"
  debootstrap --variant=minbase --include=openjdk-17-jre-headless,ca-certificates bookworm "$rootfs" ${mirror:+"$mirror"} \
    > "$WORK/debootstrap.log" 2>&1 || { tail -30 "$WORK/debootstrap.log" >&2; exit 1; }
  # Nothing of the build host belongs in the image (its resolver), nor caches and docs.
  rm -rf "$rootfs"/var/cache/apt/* "$rootfs"/var/lib/apt/lists/* "$rootfs"/usr/share/doc/* \
    "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* "$rootfs"/var/log/*.log "$rootfs"/etc/resolv.conf
  java_home=$(find "$rootfs/usr/lib/jvm" -maxdepth 1 -name 'java-17-openjdk-*' -type d | head -1)
  java_home=${java_home#"$rootfs"}

  pack="$WORK/base-image"
  mkdir -p "$pack/layer"
  # Devices, /proc and /sys are provided by the container runtime.
  tar --numeric-owner --xattrs -C "$rootfs" \
    --exclude='./dev/*' --exclude='./proc/*' --exclude='./sys/*' --exclude='./tmp/*' --exclude='./run/*' \
    -cf "$pack/layer/layer.tar" .
  diff_id=$(sha256sum "$pack/layer/layer.tar" | cut -d' ' -f1)
  created=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  arch=$(dpkg --print-architecture)
  cat > "$pack/config.json" <<EOF
{"architecture":"$arch","os":"linux","created":"$created",
 "config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","LANG=C.UTF-8","JAVA_HOME=$java_home"],
           "Cmd":["java","-version"]},
 "rootfs":{"type":"layers","diff_ids":["sha256:$diff_id"]},
 "history":[{"created":"$created","created_by":"debootstrap --variant=minbase bookworm + openjdk-17-jre-headless"}]}
EOF
  config_id=$(sha256sum "$pack/config.json" | cut -d' ' -f1)
  mv "$pack/config.json" "$pack/$config_id.json"
  printf '[{"Config":"%s.json","RepoTags":["mail-gateway-base:bookworm-jre17"],"Layers":["layer/layer.tar"]}]\n' \
    "$config_id" > "$pack/manifest.json"
  base_tar="$WORK/base-image.tar"
  tar -C "$pack" -cf "$base_tar" manifest.json "$config_id.json" layer/layer.tar
  rm -rf --one-file-system "$pack" "$rootfs"
  echo "base image: $(du -h "$base_tar" | cut -f1) in $(( $(date +%s) - t0 )) s"
fi

# --- 2. gateway image with Jib, no daemon -----------------------------------------------------------------------
echo "== gateway image: mvn -Pimage jib:buildTar"
t0=$(date +%s)
mvn -B -q -Pimage -DskipTests -Djib.disableUpdateChecks=true \
  "-Dimage.base=tar://$base_tar" package jib:buildTar
image_tar="$PWD/target/jib-image.tar"
echo "gateway image: $image_tar, $(du -h "$image_tar" | cut -f1) in $(( $(date +%s) - t0 )) s"

# --- 3. run it with runc against Kafka and SMTP on loopback --------------------------------------------------------
echo "== ContainerImageIT: the image under runc, one request end to end, then a load within the memory limit"
mkdir -p "$WORK/run"
MAIL_GATEWAY_IMAGE_TAR="$image_tar" MAIL_GATEWAY_IMAGE_WORK="$WORK/run" \
  mvn -B -Dit.test=ContainerImageIT failsafe:integration-test failsafe:verify

# --- 4. report ----------------------------------------------------------------------------------------------------
echo "== image smoke report"
cat "$WORK/run/report.txt"
echo "script duration: $(( $(date +%s) - started )) s"
