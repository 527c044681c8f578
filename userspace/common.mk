# Included by every user-space Makefile (userspace/*, tests/*, bench/): the
# flags every netcam program is built with and the shared library.
#
#   CFLAGS=...     a user's or a distribution's flags (default -O2 -g);
#                  any -O level, gcc or clang (CC=clang)
#   WERROR=1       warnings are errors: the project's own checks (make
#                  check, CI) use it; never forced on anyone else
#   SANITIZE=1     ASan + UBSan build (tests)
#   NO_SYSTEMD=1   build without libsystemd even when it is there
COMMON_MK := $(lastword $(MAKEFILE_LIST))
.DEFAULT_GOAL := all
TOP := $(abspath $(dir $(COMMON_MK))/..)
PKG_CONFIG ?= pkg-config

CFLAGS ?= -O2 -g
WARN_CFLAGS := -Wall -Wextra
ifeq ($(WERROR),1)
WARN_CFLAGS += -Werror
endif
# glibc's fortified functions need an optimising build; at -O0 it would
# only warn that it is off.
ifneq ($(filter -O1 -O2 -O3 -Os -Og -Oz -Ofast -O,$(CFLAGS)),)
FORTIFY := -D_FORTIFY_SOURCE=2
endif
ifeq ($(SANITIZE),1)
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all -g
endif
NETCAM_CFLAGS := -std=c11 $(WARN_CFLAGS) -pthread $(SAN_FLAGS)
NETCAM_CPPFLAGS := -D_DEFAULT_SOURCE $(FORTIFY) -I$(TOP)/userspace/lib \
	-I$(TOP)/driver/include/uapi

ifneq ($(NO_SYSTEMD),1)
ifneq ($(shell $(PKG_CONFIG) --exists libsystemd && echo y),)
SD_CPPFLAGS := -DHAVE_LIBSYSTEMD $(shell $(PKG_CONFIG) --cflags libsystemd)
SD_LIBS := $(shell $(PKG_CONFIG) --libs libsystemd)
endif
endif

# userspace/lib, built once per flavour (plain, sanitizer) of the caller.
LIBNETCAM_O := $(TOP)/build/userspace/lib$(if $(SAN_FLAGS),-san)
LIBNETCAM := $(LIBNETCAM_O)/libnetcam.a
LIBNETCAM_LIBS := $(LIBNETCAM) $(SD_LIBS) -lm
LIBNETCAM_SRCS := $(wildcard $(TOP)/userspace/lib/*.c) $(wildcard $(TOP)/userspace/lib/*.h)

# Always ask lib's own Makefile: it knows when its objects are stale.
ifndef LIBNETCAM_ITSELF
.PHONY: libnetcam
libnetcam:
	@$(MAKE) --no-print-directory -C $(TOP)/userspace/lib O=$(LIBNETCAM_O)
$(LIBNETCAM): libnetcam ;
endif
