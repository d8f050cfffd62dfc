# SPDX-License-Identifier: GPL-2.0
#
#   make            build ksad.ko for the running kernel (or KDIR=...) and the tools
#   make check      set up the lab (as root, first time) and run every test
#   make demo       boot the lab and show ksad at work
#   make bench      ksad next to the kernel's XFRM, on Debian's stock kernel
#   make install    install ksad.ko (modules_install) and the tools, and
#                   the kernel-ksad plugin if strongSwan's charon is installed
#   make strongswan the kernel-ksad plugin for Debian's charon
#                   (userspace/strongswan, Documentation/strongswan.md)
#   make dkms       register ksad with DKMS, build and install it for the
#                   running kernel (DKMS rebuilds it for every new one)
#
KDIR ?= /lib/modules/$(shell uname -r)/build
PREFIX ?= /usr/local
# Objects for each kernel go to a directory of their own, so that modules
# for the lab kernel and a distribution kernel never mix.
KREL = $(shell sed -n 's/.*UTS_RELEASE "\(.*\)"/\1/p' \
	$(KDIR)/include/generated/utsrelease.h 2>/dev/null)
MODDIR ?= build/$(KREL)
KARCH = $(if $(shell grep -s '^CONFIG_UML=y' $(KDIR)/.config),ARCH=um)
MOD_SRCS := Kbuild $(shell find kernel uapi -name '*.[ch]')

.PHONY: all module userspace strongswan check demo bench install dkms dkms-add clean
all: module userspace

module: $(MOD_SRCS)
	@test -n "$(KREL)" || { echo "no kernel build tree at KDIR=$(KDIR);" \
		"install linux-headers-$$(uname -r) or pass KDIR=" >&2; exit 1; }
	@mkdir -p $(MODDIR)
	@cp -a --parents $(MOD_SRCS) $(MODDIR)/
	$(MAKE) -C $(KDIR) $(KARCH) M=$(abspath $(MODDIR)) $(KBUILD_FLAGS) modules
	@echo "built $(MODDIR)/ksad.ko for $(KREL)"

userspace:
	$(MAKE) -C userspace

strongswan:
	$(MAKE) -C userspace/strongswan

check:
	bash tests/check.sh $(ONLY)

demo:
	bash tests/demo.sh

bench:
	bash bench/run.sh

install: module userspace
	$(MAKE) -C $(KDIR) $(KARCH) M=$(abspath $(MODDIR)) modules_install
	depmod -a $(KREL) || true
	$(MAKE) -C userspace install PREFIX=$(PREFIX)
	@if [ -x /usr/lib/ipsec/charon ]; then $(MAKE) -C userspace/strongswan install; \
	else echo "no /usr/lib/ipsec/charon: the kernel-ksad plugin is not installed"; fi

# The module's sources (and nothing of the lab's) under /usr/src, as a
# distribution package would put them, then DKMS's own add (dkms-add), and
# build and install for the running kernel (dkms).  DKMS rebuilds it for
# each kernel installed later; `dkms autoinstall -k VERSION` for one now.
DKMS_VER = $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
DKMS_SRC = /usr/src/ksad-$(DKMS_VER)
dkms-add:
	-dkms remove ksad/$(DKMS_VER) --all 2>/dev/null
	rm -rf $(DKMS_SRC)
	mkdir -p $(DKMS_SRC)
	cp -a --parents dkms.conf Makefile $(MOD_SRCS) $(DKMS_SRC)/
	dkms add ksad/$(DKMS_VER)

dkms: dkms-add
	dkms install ksad/$(DKMS_VER)

clean:
	rm -rf build
	$(MAKE) -C bench clean
	$(MAKE) -C userspace clean
	$(MAKE) -C userspace/strongswan clean
