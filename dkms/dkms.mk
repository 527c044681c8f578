# DKMS targets, included by the top-level Makefile.
#
#   make dkms-install [KVERS="6.1.0-56-amd64 ..."]   as root
#   make dkms-uninstall                              as root
#   make dkms-tree                                   stage the DKMS source
#                                                    tree in build/dkms/
#
# dkms-install puts the driver sources in /usr/src/netcam-$(VERSION), then
# registers, builds and installs them with DKMS for each kernel: the ones
# named in KVERS when KVERS is given on the command line or in the
# environment, otherwise every installed kernel that has headers
# (/lib/modules/*/build/Makefile). An earlier registration of the same
# version is removed first, so running it again after changing the driver
# installs the new code. The modules land in
# /lib/modules/KVER/updates/dkms/, and DKMS rebuilds them for kernels
# installed later (AUTOINSTALL). Needs the dkms package.

# The one place the version lives: MODULE_VERSION() of the driver.
VERSION := $(shell sed -n 's/^MODULE_VERSION("\([^"]*\)");$$/\1/p' driver/netcam-main.c)
DKMS ?= dkms
DKMS_SRC = /usr/src/netcam-$(VERSION)
DKMS_STAGE = $(BUILD)/dkms/netcam-$(VERSION)
# Sources only: an in-place build may have left netcam.mod.c behind.
DKMS_C_H := $(filter-out %.mod.c,$(wildcard driver/*.c driver/*.h))
DKMS_FILES := driver/Kbuild driver/Makefile $(DKMS_C_H) \
	driver/include/uapi/linux/netcam.h

ifneq ($(filter command line environment,$(origin KVERS)),)
DKMS_KVERS = $(KVERS)
else
DKMS_KVERS = $(patsubst /lib/modules/%/build/Makefile,%,\
	$(wildcard /lib/modules/*/build/Makefile))
endif

# build/dkms/netcam-$(VERSION): exactly what goes to /usr/src.
dkms-tree: $(DKMS_FILES) dkms/dkms.conf
	@test -n "$(VERSION)" || { echo "make: no MODULE_VERSION in driver/netcam-main.c" >&2; exit 1; }
	rm -rf $(DKMS_STAGE)
	mkdir -p $(DKMS_STAGE)/driver/include/uapi/linux
	cp driver/Kbuild driver/Makefile $(DKMS_C_H) $(DKMS_STAGE)/driver/
	cp driver/include/uapi/linux/netcam.h $(DKMS_STAGE)/driver/include/uapi/linux/
	sed 's/@VERSION@/$(VERSION)/g' dkms/dkms.conf > $(DKMS_STAGE)/dkms.conf

dkms-install: dkms-tree
	@test "$$(id -u)" = 0 || { echo "make dkms-install: run as root" >&2; exit 1; }
	@command -v $(DKMS) >/dev/null || { echo "make dkms-install: '$(DKMS)' not found; apt-get install dkms" >&2; exit 1; }
	@test -n "$(strip $(DKMS_KVERS))" || { echo "make dkms-install: no kernel headers found (install linux-headers-amd64)" >&2; exit 1; }
	@if [ -n "$$($(DKMS) status -m netcam -v $(VERSION))" ]; then \
		echo "$(DKMS) remove netcam/$(VERSION) --all"; \
		$(DKMS) remove netcam/$(VERSION) --all || exit 1; \
	fi
	rm -rf $(DKMS_SRC)
	mkdir -p $(DKMS_SRC)
	cp -R $(DKMS_STAGE)/. $(DKMS_SRC)/
	$(DKMS) add netcam/$(VERSION)
	@failed=; for k in $(DKMS_KVERS); do \
		echo "$(DKMS) build/install netcam/$(VERSION) -k $$k"; \
		if $(DKMS) build netcam/$(VERSION) -k $$k && \
		   $(DKMS) install netcam/$(VERSION) -k $$k; then :; else \
			failed="$$failed $$k"; \
			log=/var/lib/dkms/netcam/$(VERSION)/build/make.log; \
			[ -f $$log ] && tail -n 20 $$log >&2; \
		fi; \
	done; \
	$(DKMS) status netcam/$(VERSION); \
	if [ -n "$$failed" ]; then \
		echo "make dkms-install: netcam/$(VERSION) failed for:$$failed" >&2; \
		exit 1; \
	fi

dkms-uninstall:
	@test "$$(id -u)" = 0 || { echo "make dkms-uninstall: run as root" >&2; exit 1; }
	@if command -v $(DKMS) >/dev/null && \
	    [ -n "$$($(DKMS) status -m netcam -v $(VERSION))" ]; then \
		echo "$(DKMS) remove netcam/$(VERSION) --all"; \
		$(DKMS) remove netcam/$(VERSION) --all || exit 1; \
	fi
	rm -rf $(DKMS_SRC)

.PHONY: dkms-tree dkms-install dkms-uninstall
