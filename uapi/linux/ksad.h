/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause */
/*
 * ksad: an IPsec Security Association Database over generic netlink.
 *
 * This header is the contract for keying daemons and tools; it is described
 * in the kernel's YAML netlink-spec format in
 * Documentation/netlink/specs/ksad.yaml.  Both must agree.
 *
 * The family name is "ksad".  Every operation needs CAP_NET_ADMIN in the
 * user namespace that owns the caller's network namespace, and acts on that
 * network namespace only.
 */
#ifndef _UAPI_LINUX_KSAD_H
#define _UAPI_LINUX_KSAD_H

#define KSAD_GENL_NAME		"ksad"
#define KSAD_GENL_VERSION	1

/* Multicast groups. */
#define KSAD_MCGRP_SA		"sa"		/* SA added/updated/deleted/expired */
#define KSAD_MCGRP_EXPIRE	"expire"	/* soft and hard lifetime expiry */
#define KSAD_MCGRP_ACQUIRE	"acquire"	/* datapath asks for a new SA */

/*
 * SPIs handed out by GETSPI (or by an SPI-less ADD) are never below this:
 * 0 means "no SA" and 1-255 are reserved by IANA (RFC 4303, section 2.1).
 */
#define KSAD_SPI_MIN		256

#endif /* _UAPI_LINUX_KSAD_H */
