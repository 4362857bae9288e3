#!/bin/sh
# install-deps.sh - install the Debian packages starttls-check builds and tests with.
# Installs only what is missing; never starts the system's own mail, DNS or web
# servers (the test world runs private instances on 127.77.0.0/16).
set -eu

PKGS="build-essential cmake pkg-config clang libssl-dev libunbound-dev libevent-dev
libcurl4-openssl-dev libjansson-dev libidn2-dev libsqlite3-dev libcmocka-dev
nsd unbound ldnsutils dnsutils nginx-light postfix openssl python3 curl iproute2
libclang-rt-14-dev clang-tidy cppcheck python3-jsonschema dns-root-data
chromium nodejs libpq-dev postgresql-15 libmicrohttpd-dev libjemalloc-dev"
# The browser tests (tests/browser) run puppeteer-core from npm. Debian's npm
# package, unless an npm came with the installed nodejs (NodeSource's does;
# Debian's npm would conflict with it).
command -v npm >/dev/null 2>&1 || PKGS="$PKGS npm"

missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: missing packages:$missing (run as root or install them)" >&2
    exit 1
fi
echo "install-deps: installing$missing"
# Keep package scripts from starting system services (postfix, nginx, unbound, nsd).
policy=/usr/sbin/policy-rc.d
made_policy=0
if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy"
    chmod 755 "$policy"
    made_policy=1
fi
export DEBIAN_FRONTEND=noninteractive
echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections 2>/dev/null || true
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
[ "$made_policy" = 1 ] && rm -f "$policy"
exit 0
