#!/bin/bash
# netcam-motion against Motion 4.5 (issue 3's benchmark): CPU per frame at
# 640x360 and 1920x1080 on the same clips, and each program's event recall
# and precision, in one table. Installs Motion and ffmpeg when missing,
# builds netcam-motion, makes the clips (bench/motion/gen-clips.sh, cached)
# and runs bench/motion/motion-bench.py, which prints the per-clip events and
# the table (also kept in OUT/motion-bench.txt). A benchmark: it prints
# figures and the target's PASS/MISS; it exits 0 whenever the figures could
# be made.
#
# usage: bench/run-motion.sh [--out DIR] [--sizes 640x360,1920x1080] [--runs N]
#   --out    default build/bench-motion (clips in OUT/clips, Motion's
#            per-clip configuration and log in OUT/motion/SIZE/CLIP/)
#   --sizes  clip sets, multiples of 320x180
#   --runs   netcam-motion runs per clip, the median counts (default 3)
#
# Motion reads each clip as a file "camera" (netcam_url file://...) in real
# time at the clip's rate, so a run takes about the clips' length: ~5 min
# for the two default sets, plus ~1 min the first time for the clips.
# Everything Motion writes stays under OUT (its HOME, cwd and target_dir);
# it listens on no port.
#
# Exit status: 0 figures printed; 1 a program could not run; 2 usage, build
# or install error.
set -euo pipefail
me=bench/run-motion.sh
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
die() { echo "$me: $*" >&2; exit 2; }

out=build/bench-motion sizes=640x360,1920x1080 runs=3
while [ $# -gt 0 ]; do
    case $1 in
        --out)   out=${2:?}; shift 2 ;;
        --sizes) sizes=${2:?}; shift 2 ;;
        --runs)  runs=${2:?}; shift 2 ;;
        -h|--help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown argument '$1' (see --help)" ;;
    esac
done
[[ $runs =~ ^[1-9][0-9]*$ ]] || die "--runs wants a number >= 1, got '$runs'"
[[ $sizes =~ ^[0-9]+x[0-9]+(,[0-9]+x[0-9]+)*$ ]] || die "--sizes wants WxH[,WxH...], got '$sizes'"

# What this benchmark needs, by Debian name: Motion itself, ffmpeg for the
# clips and the decode-only figure, and netcam-motion's build dependencies.
PKGS=(motion ffmpeg python3 build-essential pkg-config libv4l-dev libudev-dev libjpeg-dev)
missing=()
for p in "${PKGS[@]}"; do
    dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
        missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    [ "$(id -u)" = 0 ] || die "missing packages: ${missing[*]}; run as root or: sudo apt-get install ${missing[*]}"
    echo "$me: installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q > /dev/null || die "apt-get update failed"
    apt-get install -y -q --no-install-recommends "${missing[@]}" > /dev/null ||
        die "cannot install ${missing[*]}"
    # Debian's package enables and starts a Motion daemon on /dev/video0; the
    # benchmark wants only the program, so switch the service off again.
    if [[ " ${missing[*]} " == *" motion "* ]] && [ -d /run/systemd/system ]; then
        systemctl disable --now motion.service > /dev/null 2>&1 || true
        echo "$me: installed motion; its system service is disabled (systemctl enable --now motion to use it)"
    fi
fi
command -v motion > /dev/null || die "motion not found after installing it"

make --no-print-directory -C userspace/netcam-motion O="$repo/build/userspace/netcam-motion" \
    "$repo/build/userspace/netcam-motion/netcam-motion" > /dev/null ||
    die "building netcam-motion failed"

mkdir -p "$out"
out=$(cd "$out" && pwd)
# shellcheck disable=SC2046 # one argument per size
bench/motion/gen-clips.sh "$out/clips" $(tr ',' ' ' <<< "$sizes") ||
    { echo "$me: making the clips failed" >&2; exit 1; }

echo "$me: netcam-motion and Motion on each clip (Motion in real time, ~17 s a clip)"
python3 bench/motion/motion-bench.py --netcam-motion "$repo/build/userspace/netcam-motion/netcam-motion" \
    --clips "$out/clips" --out "$out" --sizes "$sizes" --runs "$runs"
