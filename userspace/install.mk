# make install / make uninstall / make deb, included by the top-level Makefile.
#
#   make install [PREFIX=/usr/local] [DESTDIR=] [sysconfdir=/etc]
#   make uninstall                  (the same variables as install)
#   make deb                        the two .deb packages for this machine's
#                                   Debian release, in build/deb/
#
# install builds user space first (`make userspace`: no kernel headers
# needed) and puts it in the layout README.md describes. It never overwrites
# an existing $(sysconfdir)/netcam/netcam.conf, and uninstall removes that
# file only while it is still identical to the example. It does not make
# the `netcam` system user the services run as: the Debian package does;
# after make install, make it yourself:
#   adduser --system --group --home /var/lib/netcam netcam
#   adduser netcam video
# The module itself is installed with `make dkms-install` (dkms/dkms.mk).

PREFIX ?= /usr/local
prefix ?= $(PREFIX)
sysconfdir ?= /etc
bindir ?= $(prefix)/bin
sbindir ?= $(prefix)/sbin
includedir ?= $(prefix)/include
mandir ?= $(prefix)/share/man
docdir ?= $(prefix)/share/doc/netcam
# netcam-motion loads its recording reader from ../lib/netcam/ beside its
# own directory (userspace/netcam-motion/avclip.h): keep the two together
netcamlibdir ?= $(prefix)/lib/netcam

# systemd and udev say where they read from; under /usr/local (or when
# they are not installed) the paths systemd and udev also read.
ifeq ($(prefix),/usr)
_pc_var = $(shell pkg-config --variable=$(2) $(1) 2>/dev/null)
systemdsystemunitdir ?= $(or $(call _pc_var,systemd,systemdsystemunitdir),/usr/lib/systemd/system)
systemdgeneratordir ?= $(or $(call _pc_var,systemd,systemdsystemgeneratordir),/usr/lib/systemd/system-generators)
udevdir ?= $(or $(call _pc_var,udev,udevdir),/usr/lib/udev)
else
systemdsystemunitdir ?= $(prefix)/lib/systemd/system
systemdgeneratordir ?= $(prefix)/lib/systemd/system-generators
# udev reads rules only from /usr/lib (or /lib), /run and /etc.
udevdir ?= $(sysconfdir)/udev
endif
udevrulesdir ?= $(udevdir)/rules.d
# modules-load.d and modprobe.d are read from /usr/lib (/lib) and /etc only.
ifeq ($(prefix),/usr)
modulesloaddir ?= $(patsubst %/systemd/system,%,$(systemdsystemunitdir))/modules-load.d
modprobedir ?= $(patsubst %/systemd/system,%,$(systemdsystemunitdir))/modprobe.d
else
modulesloaddir ?= $(sysconfdir)/modules-load.d
modprobedir ?= $(sysconfdir)/modprobe.d
endif

INSTALL ?= install
UB := $(BUILD)/userspace
NETCAM_CONF := $(sysconfdir)/netcam/netcam.conf
MAN8 := netcamd.8 netcam-motion.8 netcamctl.8
MAN5 := netcam.conf.5
UNITS_IN := netcamd@.service netcam-motion.service
UDEV_RULE := userspace/udev/60-netcam.rules

# Every file install puts (relative to DESTDIR), for uninstall and tests.
INSTALLED_FILES = \
	$(bindir)/netcamctl $(sbindir)/netcamd $(sbindir)/netcam-motion \
	$(netcamlibdir)/netcam-motion-av.so \
	$(systemdgeneratordir)/netcam-generator \
	$(addprefix $(systemdsystemunitdir)/,$(UNITS_IN) netcam.target) \
	$(udevrulesdir)/60-netcam.rules \
	$(modulesloaddir)/netcam.conf $(modprobedir)/netcam.conf \
	$(includedir)/linux/netcam.h \
	$(addprefix $(mandir)/man8/,$(MAN8)) $(addprefix $(mandir)/man5/,$(MAN5)) \
	$(docdir)/netcam.conf.example
INSTALLED_DIRS = $(sysconfdir)/netcam/conf.d $(sysconfdir)/netcam $(docdir) \
	$(systemdgeneratordir) $(udevrulesdir) $(netcamlibdir)

# The generator links netcam.target.wants/netcamd@NAME.service to the unit
# in this directory, so it is built knowing it.
install-build:
	@$(MAKE) --no-print-directory userspace NETCAM_UNIT_DIR=$(systemdsystemunitdir)

install: install-build
	$(INSTALL) -d $(DESTDIR)$(bindir) $(DESTDIR)$(sbindir)
	$(INSTALL) -m 0755 $(UB)/netcamctl/netcamctl $(DESTDIR)$(bindir)/
	$(INSTALL) -m 0755 $(UB)/netcamd/netcamd $(UB)/netcam-motion/netcam-motion $(DESTDIR)$(sbindir)/
	$(INSTALL) -D -m 0644 $(UB)/netcam-motion/netcam-motion-av.so $(DESTDIR)$(netcamlibdir)/netcam-motion-av.so
	$(INSTALL) -D -m 0755 $(UB)/netcamctl/netcam-generator $(DESTDIR)$(systemdgeneratordir)/netcam-generator
	$(INSTALL) -d $(DESTDIR)$(systemdsystemunitdir)
	@for u in $(UNITS_IN); do \
		echo "sed userspace/systemd/$$u.in > $(DESTDIR)$(systemdsystemunitdir)/$$u"; \
		sed -e 's|@SBINDIR@|$(sbindir)|g' -e 's|@BINDIR@|$(bindir)|g' \
			userspace/systemd/$$u.in > $(DESTDIR)$(systemdsystemunitdir)/$$u.tmp && \
		chmod 0644 $(DESTDIR)$(systemdsystemunitdir)/$$u.tmp && \
		mv $(DESTDIR)$(systemdsystemunitdir)/$$u.tmp $(DESTDIR)$(systemdsystemunitdir)/$$u || exit 1; \
	done
	$(INSTALL) -m 0644 userspace/systemd/netcam.target $(DESTDIR)$(systemdsystemunitdir)/
	@test -f $(UDEV_RULE) || { echo "make install: $(UDEV_RULE) missing" >&2; exit 1; }
	$(INSTALL) -D -m 0644 $(UDEV_RULE) $(DESTDIR)$(udevrulesdir)/60-netcam.rules
	$(INSTALL) -D -m 0644 userspace/modprobe/modules-load.conf $(DESTDIR)$(modulesloaddir)/netcam.conf
	$(INSTALL) -D -m 0644 userspace/modprobe/modprobe.conf $(DESTDIR)$(modprobedir)/netcam.conf
	$(INSTALL) -D -m 0644 driver/include/uapi/linux/netcam.h $(DESTDIR)$(includedir)/linux/netcam.h
	$(INSTALL) -d $(DESTDIR)$(mandir)/man8 $(DESTDIR)$(mandir)/man5
	$(INSTALL) -m 0644 $(addprefix Documentation/man/,$(MAN8)) $(DESTDIR)$(mandir)/man8/
	$(INSTALL) -m 0644 $(addprefix Documentation/man/,$(MAN5)) $(DESTDIR)$(mandir)/man5/
	$(INSTALL) -D -m 0644 userspace/netcam.conf $(DESTDIR)$(docdir)/netcam.conf.example
	$(INSTALL) -d $(DESTDIR)$(sysconfdir)/netcam/conf.d
	@if [ -e $(DESTDIR)$(NETCAM_CONF) ]; then \
		echo "make install: keeping $(DESTDIR)$(NETCAM_CONF) (example: $(DESTDIR)$(docdir)/netcam.conf.example)"; \
	else \
		echo "$(INSTALL) -m 0644 userspace/netcam.conf $(DESTDIR)$(NETCAM_CONF)"; \
		$(INSTALL) -m 0644 userspace/netcam.conf $(DESTDIR)$(NETCAM_CONF) || exit 1; \
	fi

# Removes what install put; netcam.conf only if unchanged, the directories
# only if empty (a user's conf.d files stay).
uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED_FILES))
	@if [ -f $(DESTDIR)$(NETCAM_CONF) ] && cmp -s userspace/netcam.conf $(DESTDIR)$(NETCAM_CONF); then \
		echo "rm -f $(DESTDIR)$(NETCAM_CONF)"; rm -f $(DESTDIR)$(NETCAM_CONF); \
	elif [ -e $(DESTDIR)$(NETCAM_CONF) ]; then \
		echo "make uninstall: keeping the edited $(DESTDIR)$(NETCAM_CONF)"; \
	fi
	-@for d in $(INSTALLED_DIRS); do rmdir $(DESTDIR)$$d 2>/dev/null; done; true

# The install paths, one per line (tests/packages/install-test.sh).
install-list:
	@for f in $(INSTALLED_FILES) $(NETCAM_CONF); do echo "$$f"; done

# The Debian packages for the Debian release this machine runs.
DEB_DIST ?= $(shell . /etc/os-release 2>/dev/null && echo $$VERSION_CODENAME)
deb:
	@test -n "$(DEB_DIST)" || { echo "make deb: cannot tell the Debian release (set DEB_DIST=bookworm|trixie)" >&2; exit 1; }
	tests/packages/build-debs.sh $(DEB_DIST) $(BUILD)/deb

.PHONY: install install-build uninstall install-list deb
