# netcam top-level Makefile. See README.md.
#
#   make                 driver for every installed supported kernel, the
#                        user-space programs (userspace/) and test tools
#   make demo            a demo camera over RTSP: snapshot and motion events
#   make check           host unit tests, then the VM suites on every kernel
#   make unit-check      host unit tests only
#   make check SUITES="uapi"  only some VM suites
#   make driver KVER=X   the module for one kernel, in build/X/driver/
#   make tests           test programs (feeder, checker, selftests) in build/tests/
#   make checkpatch      kernel style check of driver/ (--strict)
#   make bench           frame-path benchmark in the VM (prints figures)
#   make bench-motion    netcam-motion vs Motion 4.5, CPU per frame and
#                        recall/precision at 640x360 and 1080p (~6 min)
#   make bench-netcamd   netcamd vs ffmpeg -> v4l2loopback on one RTSP stream
#                        (CPU per frame, latency, cost while unwatched)
#   make dkms-install    install netcam.ko through DKMS (root); dkms-uninstall
#   make check-installed the .debs on debootstrapped Debian 12/13 with systemd
#   make install         user space, units, udev rule, man pages (PREFIX,
#                        DESTDIR, sysconfdir); make uninstall; make deb
#   make fuzz            the uAPI fuzzer in the VM for as long as asked:
#                        FUZZ_SECONDS=600 FUZZ_SEED=N FUZZ_KVER=K FUZZ_SMP=2
#                        (default: the newest kernel, the debug one if built)

KVERS ?= $(shell tests/vm/kernels.sh 2>/dev/null)

# The project's own checks build with warnings as errors (userspace/common.mk);
# a user's `make` or a distribution's build never does.
ifneq ($(filter check unit-check,$(MAKECMDGOALS)),)
WERROR ?= 1
export WERROR
endif
BUILD := $(CURDIR)/build
DRIVER_SRC := $(wildcard driver/*.c driver/*.h driver/Kbuild driver/include/uapi/linux/*.h)

all: drivers tests userspace

# The helper daemon, its control CLI and the motion analyzer (each builds
# the shared userspace/lib it links).
USERSPACE_DIRS := netcamd netcamctl netcam-motion
userspace:
	@for d in $(USERSPACE_DIRS); do \
		$(MAKE) --no-print-directory -C userspace/$$d O=$(BUILD)/userspace/$$d || exit 1; done

drivers:
	@test -n "$(KVERS)" || { echo "make: no kernel headers found (install linux-headers-amd64)" >&2; exit 1; }
	@for k in $(KVERS); do $(MAKE) --no-print-directory driver KVER=$$k || exit 1; done

# Each kernel gets its own copy of the sources: Kbuild writes its objects
# next to them, and two kernels must not share objects.
driver: $(BUILD)/$(KVER)/driver/netcam.ko

# Host kernels with the host's compiler, a kernel root's (Debian 13's 7.3,
# the debug kernel) as tests/build-driver.sh says.
$(BUILD)/$(KVER)/driver/netcam.ko: $(DRIVER_SRC) tests/build-driver.sh
	@test -n "$(KVER)" || { echo "make driver: set KVER=<kernel version>" >&2; exit 1; }
	tests/build-driver.sh $(KVER) $(BUILD)/$(KVER)/driver

checkpatch: $(BUILD)/ksrc/scripts/checkpatch.pl
	perl $(BUILD)/ksrc/scripts/checkpatch.pl --strict --no-tree --terse -f \
		driver/*.c driver/*.h driver/include/uapi/linux/*.h

include dkms/dkms.mk
include userspace/install.mk

# Benchmarks print figures side by side with their references; no verdict.
bench: deps
	bench/run-frame-path.sh

# Installs what it needs itself (motion, ffmpeg), not the VM's kernels.
bench-motion:
	bench/run-motion.sh

# netcamd vs ffmpeg -> v4l2loopback, in one VM run (BENCH_NETCAMD_ARGS:
# see bench/run-netcamd.sh --help).
bench-netcamd: deps
	bench/run-netcamd.sh $(BENCH_NETCAMD_ARGS)

# Kernel files we use but never copy into the repo come from Debian's
# linux-source-6.1 tarball.
KSRC_TAR := /usr/src/linux-source-6.1.tar.xz
KSRC_FILES := scripts/checkpatch.pl scripts/spelling.txt \
	scripts/const_structs.checkpatch \
	tools/testing/selftests/kselftest_harness.h \
	tools/testing/selftests/kselftest.h

$(BUILD)/ksrc/scripts/checkpatch.pl:
	@test -f $(KSRC_TAR) || { echo "make: $(KSRC_TAR) missing; apt-get install linux-source-6.1" >&2; exit 1; }
	mkdir -p $(BUILD)/ksrc
	tar -xJf $(KSRC_TAR) -C $(BUILD)/ksrc --strip-components=1 \
		$(addprefix linux-source-6.1/,$(KSRC_FILES))

# Test programs, each directory's own Makefile, outputs under build/tests/.
TEST_DIRS := lib feeder tools selftests unit fuzz stress
tests: $(BUILD)/ksrc/scripts/checkpatch.pl
	@for d in $(TEST_DIRS); do \
		$(MAKE) --no-print-directory -C tests/$$d O=$(BUILD)/tests/$$d || exit 1; done

# Host unit tests, one result line per program, summed like the VM's.
unit-check: tests
	tests/unit/run.sh $(BUILD)/test-out/unit
	tests/vm/summary.sh $(BUILD)/test-out/unit

deps:
	@tests/install-deps.sh

# The fuzzer alone, as long as asked; a short run of it is part of make check.
FUZZ_SECONDS ?= 600
FUZZ_SMP ?= 2
FUZZ_KVER ?= $(lastword $(KVERS))
fuzz: deps
	@test -n "$(FUZZ_KVER)" || { echo "make fuzz: no kernel (tests/vm/kernels.sh lists none)" >&2; exit 1; }
	@$(MAKE) --no-print-directory driver KVER=$(FUZZ_KVER)
	@$(MAKE) --no-print-directory tests
	tests/vm/run.sh --kernel $(FUZZ_KVER) --smp $(FUZZ_SMP) \
		--script tests/vm/suites/fuzz.sh --out $(BUILD)/vm-out/$(FUZZ_KVER)/fuzz-long \
		--timeout $$(( $(FUZZ_SECONDS) + 300 )) --env NETCAM_FUZZ_SECONDS=$(FUZZ_SECONDS) \
		$(if $(FUZZ_SEED),--env NETCAM_FUZZ_SEED=$(FUZZ_SEED))

# tests/demo/run.sh builds what it needs (user space, the driver).
demo: deps
	tests/demo/run.sh

# The installed-system tests alone (tests/installed/; make check runs them
# too): both packages built, then installed with apt into debootstrapped
# Debian 12 and 13 systems booted under QEMU with systemd; Debian 13 also
# with trixie-backports' newest kernel. Images cached in build/installed/.
check-installed: deps
	tests/packages/run.sh build/test-out/packages bookworm trixie
	tests/installed/run.sh --dist bookworm --debs build/deb/bookworm
	tests/installed/run.sh --dist trixie --debs build/deb/trixie --backports-kernel

# Everything: unit tests, then the VM suites (SUITES=...) on every kernel.
check: deps
	@$(MAKE) --no-print-directory drivers tests userspace
	tests/check.sh

.PHONY: check-installed fuzz all userspace deps demo bench bench-motion bench-netcamd drivers driver checkpatch \
	tests unit-check check install uninstall
