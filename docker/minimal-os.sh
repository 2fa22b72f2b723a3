#!/bin/bash
# Assembles the service image's operating system in ROOTFS from the OS it runs in (a Debian or
# Ubuntu image, in the Dockerfile's "os" stage): the programs the image runs and the shared libraries
# they and the Java runtime load, nothing else.
#
#   minimal-os.sh ROOTFS JAVA_HOME
#
# The image runs java, sh (the entrypoint), bash (the probe: /dev/tcp) and chrt (the password-hashing
# threads put themselves under SCHED_IDLE). A full Debian base is 65–75 MB of package manager, perl,
# coreutils and libraries none of them loads; what they load is under 10 MB. No package manager and
# no coreutils also means less for an intruder to use: `kubectl debug` brings tools when an operator
# needs them (docs/OPERATING.md).
#
# Each copied file's Debian package is recorded the way distroless images do
# (/var/lib/dpkg/status.d/<package>, with /etc/os-release and the package's copyright), so that image
# scanners (Trivy, Grype, Syft) still see glibc's and bash's versions and report their advisories.
set -euo pipefail
ROOTFS="${1:?usage: minimal-os.sh ROOTFS JAVA_HOME}"
JAVA_HOME_DIR="${2:?usage: minimal-os.sh ROOTFS JAVA_HOME}"
PROGRAMS=(/bin/sh /bin/bash /usr/bin/chrt)

mkdir -p "$ROOTFS"
chmod 755 "$ROOTFS"
# Merged /usr (Debian 12, Ubuntu 22.04 and later): /bin, /lib and /lib64 are links into /usr; the
# dynamic loader is named by its /lib64 path in every executable.
for top in /bin /sbin /lib /lib64; do
  if [ -L "$top" ]; then cp -a "$top" "$ROOTFS$top"; fi
done

declare -A packages=()
# Copies a file under the name it is looked up by (a library's soname, a program's path), with the
# content of whatever that name links to, into the directory it really lives in.
copy() {
  local path="$1" dir
  dir=$(readlink -f "$(dirname "$path")")
  mkdir -p "$ROOTFS$dir"
  cp -L --preserve=mode "$path" "$ROOTFS$dir/$(basename "$path")"
  local package
  # dpkg knows a file by the path its package installed it at (/lib/… before merged /usr); a
  # diverted file (/bin/sh) is listed after its diversions.
  package=$( { dpkg -S "$path" 2>/dev/null || dpkg -S "$(readlink -f "$path")" 2>/dev/null || true; } \
    | { grep -v '^diversion' || true; } | head -1)
  if [ -n "$package" ]; then
    package="${package%%: *}"
    packages["${package%%:*}"]=1
  fi
}

# The libraries a program or library loads, by ldd. Only libjvm (the java launcher loads it from the
# runtime itself) and the libraries that java.desktop's native code names (X11, fonts, images, sound)
# may be missing: a headless service never loads the latter. Any other missing library stops the
# build rather than the service at its first use.
OPTIONAL='^lib(jvm|X[a-z0-9]*|xcb|freetype|harfbuzz|png16|jpeg|gif|lcms2|asound|fontconfig)\.so'
libraries() {
  local missing
  missing=$(ldd "$1" 2>/dev/null | awk '$2 == "=>" && $3 == "not" { print $1 }' | { grep -Ev "$OPTIONAL" || true; } | tr '\n' ' ')
  if [ -n "$missing" ]; then
    echo "minimal-os.sh: $1 needs $missing, which $(. /etc/os-release && echo "$PRETTY_NAME") does not have" >&2
    exit 1
  fi
  ldd "$1" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'
}

for program in "${PROGRAMS[@]}"; do
  copy "$program"
  needed=$(libraries "$program") # an assignment, so that set -e sees libraries fail
  for library in $needed; do copy "$library"; done
done
while IFS= read -r -d '' native; do
  needed=$(libraries "$native")
  for library in $needed; do
    case "$library" in "$JAVA_HOME_DIR"/*) ;; *) copy "$library" ;; esac
  done
done < <(find "$JAVA_HOME_DIR" -type f \( -name '*.so' -o -perm -u+x \) -print0)

# Before glibc 2.34 (Debian 11, Ubuntu 20.04) /etc/hosts and DNS lookups are modules glibc loads by
# name, which ldd never lists; later versions have them inside libc.so.6.
for module in /lib/*-linux-gnu/libnss_files.so.2 /lib/*-linux-gnu/libnss_dns.so.2 /lib/*-linux-gnu/libresolv.so.2; do
  if [ -e "$module" ]; then copy "$module"; fi
done

# libcrypt: the service loads it by name (JNA, user.NativeBcrypt) for bcrypt outside the JVM's
# safepoints; without it the service hashes in Java and says so at start.
for library in /lib/*-linux-gnu/libcrypt.so.1 /usr/lib/*-linux-gnu/libcrypt.so.1; do
  if [ -e "$library" ]; then copy "$library"; break; fi
done

# libargon2: loaded by name (JNA, user.NativeArgon2) to check imported Argon2id hashes; without it
# such hashes are refused at import, and the service says so at start.
for library in /lib/*-linux-gnu/libargon2.so.1 /usr/lib/*-linux-gnu/libargon2.so.1; do
  if [ -e "$library" ]; then copy "$library"; break; fi
done

# Users and name resolution: the service's user (uid 10001, what USER names), root, and the same
# lookup order as the OS it came from ("files" first: localhost from /etc/hosts).
mkdir -p "$ROOTFS/etc" "$ROOTFS/tmp" "$ROOTFS/app"
chmod 1777 "$ROOTFS/tmp"
printf '%s\n' 'root:x:0:0:root:/root:/usr/sbin/nologin' \
  'session-authority:x:10001:10001:Session Authority:/nonexistent:/usr/sbin/nologin' > "$ROOTFS/etc/passwd"
printf '%s\n' 'root:x:0:' 'session-authority:x:10001:' > "$ROOTFS/etc/group"
cp /etc/nsswitch.conf "$ROOTFS/etc/nsswitch.conf"
cp -L /etc/os-release "$ROOTFS/etc/os-release"

if command -v dpkg-query >/dev/null 2>&1; then
  mkdir -p "$ROOTFS/var/lib/dpkg/status.d"
  for package in "${!packages[@]}"; do
    dpkg-query -s "$package" > "$ROOTFS/var/lib/dpkg/status.d/$package"
    if [ -f "/usr/share/doc/$package/copyright" ]; then
      mkdir -p "$ROOTFS/usr/share/doc/$package"
      cp "/usr/share/doc/$package/copyright" "$ROOTFS/usr/share/doc/$package/copyright"
    fi
  done
fi
echo "minimal OS: $(du -sk "$ROOTFS" | cut -f1) KiB; packages: $(printf '%s ' "${!packages[@]}")"
