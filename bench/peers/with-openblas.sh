#!/bin/sh
# Runs a command with OpenBLAS in place of the reference (netlib) BLAS that Debian's
# python3-torch links by default (libblas.so.3 via update-alternatives). Nothing is installed:
# the library directory is put first on LD_LIBRARY_PATH for this command only.
#
# Where OpenBLAS comes from, first match wins:
#   1. $OPENBLAS_LIB_DIR (a folder holding libblas.so.3 from OpenBLAS)
#   2. /usr/lib/x86_64-linux-gnu/openblas-pthread (libopenblas0-pthread installed)
#   3. the libopenblas0-pthread .deb in /var/cache/apt/archives, unpacked once into
#      ${XDG_CACHE_HOME:-$HOME/.cache}/vaelang-peers/openblas
#
# Usage: bench/peers/with-openblas.sh /usr/bin/python3 bench/peers/torch_vae.py --json
set -eu

multiarch=x86_64-linux-gnu
dir="${OPENBLAS_LIB_DIR:-}"
if [ -z "$dir" ] && [ -e "/usr/lib/$multiarch/openblas-pthread/libblas.so.3" ]; then
  dir="/usr/lib/$multiarch/openblas-pthread"
fi
if [ -z "$dir" ]; then
  cache="${XDG_CACHE_HOME:-$HOME/.cache}/vaelang-peers/openblas"
  dir="$cache/usr/lib/$multiarch/openblas-pthread"
  if [ ! -e "$dir/libblas.so.3" ]; then
    deb=$(ls /var/cache/apt/archives/libopenblas0-pthread_*_amd64.deb 2>/dev/null | tail -n 1)
    if [ -z "$deb" ]; then
      echo "with-openblas: no OpenBLAS found; install libopenblas0-pthread or set OPENBLAS_LIB_DIR" >&2
      exit 2
    fi
    mkdir -p "$cache"
    dpkg-deb -x "$deb" "$cache"
    echo "with-openblas: unpacked $(basename "$deb") into $cache" >&2
  fi
fi

LD_LIBRARY_PATH="$dir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export LD_LIBRARY_PATH
exec "$@"
