#!/usr/bin/env bash
# Installs the system packages the build and tests need (Debian/Ubuntu): fontconfig and the font
# zoo the captcha generator draws with (the packages named in font-zoo.tsv), and headless
# Chromium with its WebDriver for the browser tests. Installs only what is
# missing, so a second run does nothing.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
zoo="$root/generator/src/main/resources/dev/captcha/generator/font-zoo.tsv"
if [[ ! -r $zoo ]]; then
  echo "setup: cannot read the font list $zoo" >&2
  exit 1
fi

mapfile -t packages < <({ echo fontconfig; echo chromium; echo chromium-driver; awk -F'\t' '!/^#/ && NF >= 4 {print $4}' "$zoo"; } | sort -u)

declare -A installed=()
while read -r name state; do
  [[ $state == "install ok installed" ]] && installed[$name]=1
done < <(dpkg-query -W -f='${Package} ${Status}\n' "${packages[@]}" 2>/dev/null || true)
missing=()
for p in "${packages[@]}"; do
  [[ -n ${installed[$p]:-} ]] || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
  exit 0
fi

echo "setup: installing ${#missing[@]} packages: ${missing[*]}" >&2
if [[ $(id -u) -eq 0 ]]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1; then
  sudo=(sudo)
else
  echo "setup: need root (or sudo) to install: ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2> >(grep -v "^debconf: delaying" >&2)
fc-cache -f >/dev/null 2>&1 || true
