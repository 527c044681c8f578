#!/bin/bash
# Boot a Debian kernel under QEMU (TCG) with the host's root file system
# mounted read-only over 9p, run one test script inside it, then check the
# script's exit code, its results and the kernel log (and kmemleak's report
# on kernels that have it).  The kernel is the host's or one from a
# registered kernel root (tests/vm/kernel-root.sh, tests/vm/kernels.sh).
#
# usage: tests/vm/run.sh --kernel KVER --script INSIDE.sh --out DIR
#                        [--timeout SECS] [--mem 2G] [--smp N]
#                        [--env NAME=VALUE]... [--cache loose|mmap|none]
#                        [--append 'KERNEL ARGS']
#
#   --timeout  limit for the script inside the VM (default 600); the VM is
#              killed from the host after SECS+180
#   --smp      vCPUs (default 1, or $NETCAM_VM_SMP)
#   --env      exported to the script (repeatable)
#   --cache    9p cache mode of the read-only host root (default loose:
#              fastest; host files changed during the run may look stale)
# Environment: NETCAM_VM_CPU=MODEL (default max) for another CPU model,
# NETCAM_VM_ACCEL=kvm (default tcg) where KVM works,
# NETCAM_VM_PVH=0 to boot the bzImage instead of the unpacked vmlinux,
# QEMU=path of qemu-system-x86_64.
#
# Output in DIR: results.txt, logs/, script.log (script stdout/stderr),
# dmesg.txt, console.log (serial), timing.txt, vm-rc, kmemleak.txt.
#
# Inside the VM the script runs as root in a chroot of the host's / (read-only)
# with these variables set:
#   NETCAM_VM_OUT  (= NETCAM_VM_WORK) writable directory, /run/netcam-vm/out
#                  inside; it is DIR on the host
#   NETCAM_SRC     repository root (host path, read-only inside)
#   KVER / NETCAM_KVER   running kernel version
#   NETCAM_VM=1, NETCAM_VM_SCRIPT, NETCAM_VM_TIMEOUT, HOME=/tmp, TMPDIR=/tmp
# /tmp, /var/tmp, /run, /dev, /proc and /sys are private to the VM, so
# INSIDE.sh must not live under any of them.  Results protocol: see lib.sh.
#
# Exit status: 0 when the script exited 0, no result is FAIL and the kernel
# log is clean; 1 on test failure; 2 on usage/set-up errors.
set -euo pipefail
export PATH=$PATH:/usr/sbin:/sbin

me=tests/vm/run.sh
die() { echo "$me: $*" >&2; exit 2; }

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)

kver='' script='' out='' timeout=600 mem=2G smp='' cache=loose append=''
envs=()
while [ $# -gt 0 ]; do
    case $1 in
        --kernel)  kver=${2:?}; shift 2 ;;
        --script)  script=${2:?}; shift 2 ;;
        --out)     out=${2:?}; shift 2 ;;
        --timeout) timeout=${2:?}; shift 2 ;;
        --mem)     mem=${2:?}; shift 2 ;;
        --smp)     smp=${2:?}; shift 2 ;;
        --cache)   cache=${2:?}; shift 2 ;;
        --append)  append=${2:?}; shift 2 ;;
        --env)     envs+=("${2:?}"); shift 2 ;;
        -h|--help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown argument '$1' (see --help)" ;;
    esac
done
[ -n "$kver" ]   || die "--kernel KVER is required (tests/vm/kernels.sh lists them)"
[ -n "$script" ] || die "--script INSIDE.sh is required"
[ -n "$out" ]    || die "--out DIR is required"
[[ $timeout =~ ^[0-9]+$ ]] || die "--timeout wants seconds, got '$timeout'"
case $cache in loose|mmap|none|fscache) ;; *) die "--cache wants loose, mmap or none, got '$cache'" ;; esac
# One vCPU by default: under TCG, -smp 2 (MTTCG) measured no faster for
# these workloads and about 2x slower as soon as another VM shares the two
# host cores.  Use --smp 2 (or NETCAM_VM_SMP=2) for SMP/race coverage.
[ -n "$smp" ] || smp=${NETCAM_VM_SMP:-1}
[[ $smp =~ ^[1-9][0-9]*$ ]] || die "--smp wants a CPU count, got '$smp'"

qemu=${QEMU:-qemu-system-x86_64}
command -v "$qemu" >/dev/null || die "$qemu not found; install qemu-system-x86"
# Host kernels: /boot/vmlinuz-KVER and /lib/modules/KVER; others come from
# their kernel root (Documentation/dev-guide/kernels.rst).
kroot=$("$here/kernel-root.sh" "$kver") \
    || die "kernel $kver not found; install linux-image-$kver or build/register its root (tests/vm/kernels.sh lists them)"
kernel=$("$here/kernel-root.sh" --image "$kver") || die "no image of $kver in $kroot"
[ -r "$kernel" ] || die "$kernel is not readable (run as root or chmod a+r it)"
kmods=$("$here/kernel-root.sh" --modules "$kver")
[ -d "$kmods" ] || die "$kmods not found; install linux-image-$kver"
case $kmods in *[[:space:]]*) die "module directory path must not contain spaces: $kmods" ;; esac

[ -f "$script" ] || die "script $script not found"
script=$(realpath "$script")
case $script in
    "$repo"/*) ;;  # the repository is shared at its own path
    /tmp/*|/var/tmp/*|/run/*|/dev/*|/proc/*|/sys/*)
        die "$script is in a directory that the VM replaces with its own (tmpfs etc.); put it elsewhere" ;;
esac
case $script in *[[:space:]]*) die "script path must not contain spaces: $script" ;; esac
case $repo in *[[:space:],]*) die "repository path must not contain spaces or commas: $repo" ;; esac

mkdir -p "$out" || die "cannot create $out"
out=$(realpath "$out")
case $out in *[[:space:],]*) die "--out path must not contain spaces or commas: $out" ;; esac
# Start from a clean slate: remove what a previous run left in DIR.
rm -rf "$out/results.txt" "$out/logs" "$out/vm-rc" "$out/dmesg.txt" "$out/console.log" \
       "$out/script.log" "$out/vm-timing.txt" "$out/timing.txt" "$out/vm-env.sh" \
       "$out/dmesg-allow.txt" "$out/qemu.log" "$out/kmemleak.txt" "$out/gst-registry.bin"
mkdir -p "$out/logs"
: > "$out/results.txt"
if [ ${#envs[@]} -gt 0 ]; then
    for e in "${envs[@]}"; do
        [[ $e =~ ^[A-Za-z_][A-Za-z0-9_]*= ]] || die "--env wants NAME=VALUE, got '$e'"
        printf 'export %s=%q\n' "${e%%=*}" "${e#*=}"
    done > "$out/vm-env.sh"
fi

# GStreamer's plugin registry, made on the host in about a second: the
# first gst-launch-1.0 in the VM would otherwise spend 17 s (TCG) to over a
# minute (the debug kernel) building it. The VM sees the same plugin files.
# A script that exports its own GST_REGISTRY keeps it.
if command -v gst-inspect-1.0 >/dev/null; then
    GST_REGISTRY=$out/gst-registry.bin gst-inspect-1.0 coreelements > /dev/null 2>&1 || true
    [ -s "$out/gst-registry.bin" ] &&
        echo 'export GST_REGISTRY=$NETCAM_VM_OUT/gst-registry.bin' >> "$out/vm-env.sh"
fi

# Initramfs, cached per kernel; rebuilt when missing, when the builder changed
# or when the kernel's modules were reinstalled.
initrd=$repo/build/vm/initramfs-$kver.cpio.gz
if [ ! -s "$initrd" ] || [ "$here/build-initramfs.sh" -nt "$initrd" ] \
   || [ "$kmods/modules.dep" -nt "$initrd" ]; then
    "$here/build-initramfs.sh" "$kver" "$initrd" || die "building $initrd failed"
fi

# Boot the uncompressed kernel through its PVH entry point when possible:
# under TCG, unpacking the (xz/zstd) bzImage in the guest takes 5-15 s, on
# the host well under 1 s.  Cached as build/vm/vmlinux-KVER; set
# NETCAM_VM_PVH=0 to boot /boot/vmlinuz-KVER directly.
extract_vmlinux() {   # bzImage out
    local img=$1 dst=$2 magic dec off tmpf
    tmpf=$dst.tmp.$$
    for m in 'xz:\xfd7zXZ\x00' 'zstd -q:\x28\xb5\x2f\xfd' 'gzip:\x1f\x8b\x08' 'lz4:\x02\x21\x4c\x18'; do
        dec=${m%%:*} magic=${m#*:}
        command -v "${dec%% *}" >/dev/null || continue
        for off in $(LC_ALL=C grep -obUaP "$magic" "$img" 2>/dev/null | cut -d: -f1); do
            tail -c +$((off + 1)) "$img" | $dec -dc 2>/dev/null > "$tmpf" || true
            if [ "$(head -c 4 "$tmpf" | od -An -tx1 | tr -d ' ')" = 7f454c46 ] \
               && { ! command -v readelf >/dev/null \
                    || readelf -n "$tmpf" 2>/dev/null | grep -E 'type: \(0x0*12\)|PHYS32' >/dev/null; }; then
                mv -f "$tmpf" "$dst"
                return 0
            fi
        done
    done
    rm -f "$tmpf"
    return 1
}
boot_kernel=$kernel
if [ "${NETCAM_VM_PVH:-1}" != 0 ]; then
    vmlinux=$repo/build/vm/vmlinux-$kver
    # A root may ship its vmlinux (a kernel built here: tests/debug-kernel).
    if root_vmlinux=$("$here/kernel-root.sh" --vmlinux "$kver" 2>/dev/null); then
        boot_kernel=$root_vmlinux
    elif [ -s "$vmlinux" ] && [ ! "$kernel" -nt "$vmlinux" ]; then
        boot_kernel=$vmlinux
    elif extract_vmlinux "$kernel" "$vmlinux"; then
        boot_kernel=$vmlinux
    else
        echo "$me: note: could not unpack $kernel for PVH boot; booting the bzImage (slower)" >&2
    fi
fi

accel=${NETCAM_VM_ACCEL:-tcg}
cpu=max
[ "$accel" = kvm ] && cpu=host
# NETCAM_VM_CPU: another QEMU CPU model, e.g. to compare kernel copy paths.
cpu=${NETCAM_VM_CPU:-$cpu}
# loglevel=5: warnings and worse also reach console.log (in case the VM dies
# before dmesg.txt is written); log_buf_len: keep the whole log for dmesg.txt;
# printk.devkmsg=on: test markers written to /dev/kmsg are never rate-limited.
cmdline="console=ttyS0 panic=-1 loglevel=5 quiet mitigations=off log_buf_len=8M printk.devkmsg=on"
cmdline+=" netcam.script=$script netcam.src=$repo netcam.timeout=$timeout netcam.cache=$cache"
# Not the host's kernel: the init points /lib/modules/KVER at its modules.
[ "$kroot" = / ] || cmdline+=" netcam.kmods=$kmods"
[ -n "$append" ] && cmdline+=" $append"

# Host-side backstop: boot (~10 s) + script time-out + dmesg/poweroff slack.
host_timeout=$((timeout + 180))
echo "$me: booting $kver ($(basename "$boot_kernel"), smp=$smp mem=$mem) running $script, output in $out"
# A TCG guest now and then hangs before its init runs (seen with 2 vCPUs):
# when the init has not said it runs the script within boot_wait seconds
# (normally under 10 s, under a minute on the debug kernel), the VM is
# killed and booted once more.  Likewise when the kernel panicked before
# the init ran the script (seen once on 7.3 with 2 vCPUs under load:
# "Oops: int3" in the timer interrupt, a text-poke site executed stale by
# QEMU's multi-threaded TCG): nothing of netcam was in that kernel yet,
# since the module is only loaded by the script.  The first console log
# is kept as console-crashed-boot.log and the retry is printed.
boot_wait=${NETCAM_VM_BOOT_WAIT:-240}
run_qemu() {
    local pid waited=0
    timeout -k 10 "$host_timeout" "$qemu" \
        -accel "$accel" -cpu "$cpu" -smp "$smp" -m "$mem" \
        -nodefaults -no-user-config -display none -no-reboot \
        -serial "file:$out/console.log" \
        -kernel "$boot_kernel" -initrd "$initrd" -append "$cmdline" \
        -virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
        -virtfs "local,path=$out,mount_tag=work,security_model=none" \
        -virtfs "local,path=$repo,mount_tag=src,security_model=none,readonly=on,multidevs=remap" \
        > "$out/qemu.log" 2>&1 < /dev/null &
    pid=$!
    while kill -0 "$pid" 2> /dev/null; do
        grep -q '^netcam-init: running' "$out/console.log" 2> /dev/null && break
        if [ "$waited" -ge "$boot_wait" ]; then
            kill "$pid" 2> /dev/null
            wait "$pid"
            return 200
        fi
        sleep 1
        waited=$((waited + 1))
    done
    wait "$pid"
}
t0=$(date +%s.%N)
set +e
run_qemu
qrc=$?
crashed_before_script() {
    ! grep -q '^netcam-init: running' "$out/console.log" 2> /dev/null &&
        grep -q 'Kernel panic' "$out/console.log" 2> /dev/null
}
if [ $qrc = 200 ]; then
    echo "$me: $kver did not start its init within ${boot_wait}s; booting it once more" >&2
    mv "$out/console.log" "$out/console-hung-boot.log"
    t0=$(date +%s.%N)
    run_qemu
    qrc=$?
    [ $qrc != 200 ] || qrc=124
elif [ ! -s "$out/vm-rc" ] && crashed_before_script; then
    echo "$me: $kver panicked while booting, before its init ran the script (netcam not loaded); booting it once more. The panic:" >&2
    grep -m1 -A12 -E 'Oops|BUG:|Kernel panic' "$out/console.log" | sed 's/^/  /' >&2 || true
    mv "$out/console.log" "$out/console-crashed-boot.log"
    t0=$(date +%s.%N)
    run_qemu
    qrc=$?
    [ $qrc != 200 ] || qrc=124
fi
set -e
t1=$(date +%s.%N)
wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')

fail=0
if [ $qrc -eq 124 ] || [ $qrc -eq 137 ]; then
    echo "$me: VM did not power off within ${host_timeout}s; killed" >&2
    echo "FAIL vm-boot $kver: VM hung, killed after ${host_timeout}s" >> "$out/results.txt"
    fail=1
elif [ $qrc -ne 0 ]; then
    echo "$me: $qemu exited with $qrc:" >&2
    sed 's/^/  /' "$out/qemu.log" >&2
    fail=1
fi

rc=
[ -s "$out/vm-rc" ] && rc=$(cat "$out/vm-rc")
if [ -z "$rc" ]; then
    echo "$me: the VM reported no script exit code; end of console.log:" >&2
    tail -n 30 "$out/console.log" 2>/dev/null | sed 's/^/  /' >&2 || true
    [ $fail -eq 1 ] || echo "FAIL vm-boot $kver: VM reported no script exit code" >> "$out/results.txt"
    fail=1
elif [ "$rc" != 0 ]; then
    why="exited with rc=$rc"
    [ "$rc" = 124 ] && why="timed out after ${timeout}s"
    echo "$me: $script $why; end of script.log:" >&2
    tail -n 30 "$out/script.log" 2>/dev/null | sed 's/^/  /' >&2 || true
    echo "FAIL vm-script $(basename "$script") $why" >> "$out/results.txt"
    fail=1
fi

# Kernel log check.  dmesg.txt is complete (taken inside the VM after the
# script); console.log also covers a VM that died before writing it.
# The patterns: tests/vm/log-pattern.sh, shared with the suites' own checks.
. "$here/log-pattern.sh"
pattern=$VM_BAD_LOG
# A script may list known, accepted kernel messages (extended regexes, one a
# line) in $NETCAM_VM_OUT/dmesg-allow.txt: a matching line and the stack dump
# that follows it (up to "</TASK>" or "end trace") are not counted.
allow=$out/dmesg-allow.txt
[ -s "$allow" ] || allow=/dev/null
filter_allowed() {
    [ -f "$1" ] || return 0
    awk -v allowfile="$allow" -v me="$me" -v what="$1" '
        BEGIN { n = 0; while ((getline l < allowfile) > 0) if (l != "") pat[n++] = l }
        # Skip the stack dump after an allowed line; a new report header or
        # 80 lines end the skip so a real problem right after is not hidden.
        skipping && $0 ~ /cut here|WARNING:|BUG:|Oops|general protection|[Kk]ernel panic|soft lockup|blocked for more/ { skipping = 0 }
        skipping { if ($0 ~ /<\/TASK>|---\[ end trace/ || ++skipped > 80) skipping = 0; next }
        { for (i = 0; i < n; i++) if ($0 ~ pat[i]) { skipping = 1; skipped = 0; allowed++; next } print }
        END { if (allowed) printf "%s: %s: ignored %d message(s) listed in dmesg-allow.txt\n", me, what, allowed > "/dev/stderr" }
    ' "$@"
}
bad=$( { filter_allowed "$out/dmesg.txt"; filter_allowed "$out/console.log" 2>/dev/null; } | grep -E -- "$pattern" | sort -u || true)
if [ ! -s "$out/dmesg.txt" ]; then
    echo "FAIL kernel-log-clean $kver: no dmesg.txt captured" >> "$out/results.txt"
    fail=1
elif [ -n "$bad" ]; then
    log=$out/dmesg.txt
    [ -n "$(filter_allowed "$log" 2>/dev/null | grep -E -- "$pattern" || true)" ] || log=$out/console.log
    echo "$me: kernel log of $kver has problems (full log: $log):" >&2
    filter_allowed "$log" 2>/dev/null | grep -E -B4 -- "$pattern" | sed '61,$d; s/^/  /' >&2 || true
    # One-line summary: the first report header, or for a bare stack dump the
    # message printed just before its "CPU: ... PID:" line.
    head=$(filter_allowed "$log" 2>/dev/null | awk -v pat="$pattern" '
        found { next }
        $0 ~ pat && $0 !~ /Call Trace:|RIP: / { line = $0; during = cur; found = 1; next }
        /netcam-vm: begin / { sub(/.*netcam-vm: begin /, ""); cur = $0; next }
        /\] CPU: [0-9]+ .*PID: / { ctx = prev }
        /Call Trace:/ && fallback == "" { fallback = (ctx != "" ? ctx : $0); fbduring = cur }
        { prev = $0 }
        END {
            if (!found) { line = fallback; during = fbduring }
            sub(/^\[[^]]*\] */, "", line)
            print line (during != "" ? " (during " during ")" : "")
        }' || true)
    echo "FAIL kernel-log-clean $kver: $(echo "$bad" | wc -l) suspicious line(s), first: $head" >> "$out/results.txt"
    fail=1
else
    echo "PASS kernel-log-clean $kver" >> "$out/results.txt"
fi

# kmemleak: the init scanned after the script (build-initramfs.sh); every
# "unreferenced object" is a leak of the script's time (boot leaks were
# cleared before it).  A kernel configured with kmemleak that produced no
# report means the check could not run: FAIL.
kconfig=
for f in "${kroot%/}/boot/config-$kver" "$kmods/config"; do
    [ -f "$f" ] && { kconfig=$f; break; }
done
if [ -f "$out/kmemleak.txt" ]; then
    nleak=$(grep -c '^unreferenced object' "$out/kmemleak.txt" || true)
    if grep -q '^netcam-vm: kmemleak:' "$out/kmemleak.txt"; then
        echo "FAIL kmemleak-clean $kver: $(grep -m1 '^netcam-vm: kmemleak:' "$out/kmemleak.txt" | sed 's/^netcam-vm: kmemleak: //')" >> "$out/results.txt"
        fail=1
    elif [ "$nleak" -gt 0 ]; then
        echo "$me: kmemleak lists $nleak unreferenced object(s) (full report: $out/kmemleak.txt):" >&2
        sed '41,$d; s/^/  /' "$out/kmemleak.txt" >&2
        first=$(awk '/^  backtrace/ { bt = 1; next } bt && /^    [^ ]/ { sub(/^ *(\[<[0-9a-f]+>\] *)?/, ""); if ($0 !~ /kmemleak|^kmalloc|^__kmalloc|^kmem_cache_alloc|slab_post_alloc|^__kmem_cache|^kmalloc_trace|^__kvmalloc|^kvmalloc|^__alloc|^kvzalloc|^kzalloc|^kstrdup|^kmemdup|^__vmalloc|^vmalloc|^vzalloc/) { print; exit } }
        /^unreferenced object/ { bt = 0 }' "$out/kmemleak.txt")
        echo "FAIL kmemleak-clean $kver: $nleak unreferenced object(s)${first:+, first allocated in $first}" >> "$out/results.txt"
        fail=1
    else
        echo "PASS kmemleak-clean $kver" >> "$out/results.txt"
    fi
elif [ -n "$kconfig" ] && grep -qx 'CONFIG_DEBUG_KMEMLEAK=y' "$kconfig" && [ -n "$rc" ]; then
    echo "FAIL kmemleak-clean $kver: kernel has CONFIG_DEBUG_KMEMLEAK=y but the VM wrote no kmemleak.txt (booted with kmemleak=off?)" >> "$out/results.txt"
    fail=1
fi

# Timings.  Guest uptime at script start excludes QEMU/firmware start-up;
# host_boot_seconds (wall time minus script time) includes it plus shutdown.
boot=$(awk '$1 == "script_start_uptime" { print $2 }' "$out/vm-timing.txt" 2>/dev/null || true)
end=$(awk '$1 == "script_end_uptime" { print $2 }' "$out/vm-timing.txt" 2>/dev/null || true)
script_s='?' host_boot='?'
if [ -n "$boot" ] && [ -n "$end" ]; then
    script_s=$(awk -v a="$boot" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
    host_boot=$(awk -v w="$wall" -v s="$script_s" 'BEGIN { printf "%.1f", w - s }')
fi
printf 'kernel %s\nwall_seconds %s\nguest_boot_to_script_seconds %s\nscript_seconds %s\nhost_overhead_seconds %s\n' \
    "$kver" "$wall" "${boot:-?}" "$script_s" "$host_boot" > "$out/timing.txt"

echo "---- results ($kver, $(basename "$script")) ----"
cat "$out/results.txt"
echo "---- timing: total ${wall}s = script ${script_s}s + VM overhead ${host_boot}s (guest uptime at script start ${boot:-?}s) ----"
"$here/summary.sh" "$out" || fail=1
exit $fail
