#!/usr/bin/env bash
# Installs the system packages the build and tests need (Debian/Ubuntu): fontconfig and the
# font families the captcha generator draws with, and Chromium with its WebDriver for the test of
# the page the server serves. Does nothing when they are all present.
set -euo pipefail

packages=(
  fontconfig
  fonts-dejavu-core
  fonts-liberation2
  fonts-freefont-ttf
  fonts-roboto
  fonts-lato
  fonts-crosextra-carlito
  fonts-open-sans
  fonts-comic-neue
  chromium
  chromium-driver
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  exit 0
fi

echo "setup: installing ${missing[*]}" >&2
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
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fc-cache -f >/dev/null 2>&1 || true
