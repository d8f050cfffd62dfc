/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause */
/*
 * ksad: an IPsec Security Association Database over generic netlink.
 *
 * This header is the contract for keying daemons and tools; the same family
 * is described in the kernel's YAML netlink-spec format in
 * Documentation/netlink/specs/ksad.yaml, and a test checks that the two and
 * the kernel's policies agree.
 *
 * The family name is "ksad".  Every operation needs CAP_NET_ADMIN in the
 * user namespace that owns the caller's network namespace, and acts on that
 * network namespace only.  Errors come with an extended-ACK message.
 *
 * An SA is identified by (SPI, destination address, protocol), as in
 * PF_KEYv2 (RFC 2367) and Linux XFRM.  Inbound SAs are made with GETSPI,
 * which reserves a locally unique SPI and creates a larval SA, then UPDATE,
 * which completes it; outbound SAs, carrying the peer's SPI, with ADD.
 */
#ifndef _UAPI_LINUX_KSAD_H
#define _UAPI_LINUX_KSAD_H

#define KSAD_GENL_NAME		"ksad"
#define KSAD_GENL_VERSION	1

/* Multicast groups. */
#define KSAD_MCGRP_SA		"sa"		/* KSAD_CMD_SA_NTF */
#define KSAD_MCGRP_EXPIRE	"expire"	/* KSAD_CMD_EXPIRE */
#define KSAD_MCGRP_ACQUIRE	"acquire"	/* KSAD_CMD_ACQUIRE */
#define KSAD_MCGRP_MAPPING	"mapping"	/* KSAD_CMD_MAPPING */

/*
 * SPIs are never below this: 0 means "no SA" and 1-255 are reserved by
 * IANA (RFC 4303, section 2.1).
 */
#define KSAD_SPI_MIN		256

#define KSAD_LARVAL_TIMEOUT_DEFAULT	30	/* seconds */
#define KSAD_REPLAY_WINDOW_MAX		4096	/* packets */
#define KSAD_KEY_MAX			64	/* bytes, any key attribute */

/* IP protocol numbers of the two IPsec protocols. */
enum ksad_proto {
	KSAD_PROTO_ESP = 50,
	KSAD_PROTO_AH = 51,
};

enum ksad_dir {
	KSAD_DIR_IN = 1,
	KSAD_DIR_OUT,
	KSAD_DIR_FWD,		/* policies only: forwarded traffic */
};

/* What a policy does with the packets its selector matches (RFC 4301). */
enum ksad_action {
	KSAD_ACTION_PROTECT = 1,	/* through an SA (outbound: or ACQUIRE) */
	KSAD_ACTION_BYPASS,		/* in the clear */
	KSAD_ACTION_DISCARD,		/* dropped */
};

enum ksad_mode {
	KSAD_MODE_TRANSPORT = 1,
	KSAD_MODE_TUNNEL,
};

/* Lifecycle of an SA (PF_KEYv2's SADB_SASTATE_*). */
enum ksad_state {
	KSAD_STATE_LARVAL = 1,	/* SPI reserved by GETSPI, no keys yet */
	KSAD_STATE_MATURE,	/* complete, usable */
	KSAD_STATE_DYING,	/* soft lifetime reached: rekey now */
};

/*
 * Algorithms are named as IKEv2 names them (IANA's IKEv2 registries,
 * RFC 7296 3.3.2): KSAD_SA_ENC_ALG holds a Transform Type 1 ID,
 * KSAD_SA_AUTH_ALG a Transform Type 3 ID, KSAD_SA_ENC_KEY_BITS the Key
 * Length attribute, so that a keying daemon passes on what it negotiated.
 * Keys are KEYMAT's pieces as RFC 7296 2.17 cuts them: an encryption key
 * ends with its salt (nonce, for CTR) where the algorithm has one.
 *
 *   ID     encryption             key bytes      ICV     crypto API
 *   11     NULL                   0              integ.  ecb(cipher_null)
 *   12     AES_CBC                16/24/32       integ.  cbc(aes)
 *   13     AES_CTR                16/24/32 + 4   integ.  rfc3686(ctr(aes))
 *   14-16  AES_CCM_8/_12/_16      16/24/32 + 3   8/12/16 rfc4309(ccm(aes))
 *   18-20  AES_GCM_8/_12/_16      16/24/32 + 4   8/12/16 rfc4106(gcm(aes))
 *   21     NULL_AUTH_AES_GMAC     16/24/32 + 4   16      rfc4543(gcm(aes))
 *   28     CHACHA20_POLY1305      32 + 4         16      rfc7539esp(...)
 *
 *   ID     integrity              key bytes      ICV     crypto API
 *    2     HMAC_SHA1_96           20             12      hmac(sha1)
 *    5     AES_XCBC_96            16             12      xcbc(aes)
 *    8     AES_CMAC_96            16             12      cmac(aes)
 *   12     HMAC_SHA2_256_128      32             16      hmac(sha256)
 *   13     HMAC_SHA2_384_192      48             24      hmac(sha384)
 *   14     HMAC_SHA2_512_256      64             32      hmac(sha512)
 *
 * ESP takes an encryption algorithm, and an integrity algorithm unless the
 * encryption one is combined-mode (CCM, GCM, GMAC, ChaCha20-Poly1305); AH
 * takes an integrity algorithm only.  KSAD_SA_ENC_KEY_BITS is needed where
 * the algorithm has several key lengths (the AES ones: 128, 192, 256).
 * Other IDs are refused with an extended-ACK message saying why (3DES and
 * the other legacy ciphers of RFC 8221 on purpose).
 */
enum ksad_encr {
	KSAD_ENCR_3DES = 3,			/* refused: RFC 8221 */
	KSAD_ENCR_NULL = 11,
	KSAD_ENCR_AES_CBC = 12,
	KSAD_ENCR_AES_CTR = 13,
	KSAD_ENCR_AES_CCM_8 = 14,
	KSAD_ENCR_AES_CCM_12 = 15,
	KSAD_ENCR_AES_CCM_16 = 16,
	KSAD_ENCR_AES_GCM_8 = 18,
	KSAD_ENCR_AES_GCM_12 = 19,
	KSAD_ENCR_AES_GCM_16 = 20,
	KSAD_ENCR_NULL_AUTH_AES_GMAC = 21,
	KSAD_ENCR_CHACHA20_POLY1305 = 28,
};

enum ksad_auth {
	KSAD_AUTH_NONE = 0,
	KSAD_AUTH_HMAC_SHA1_96 = 2,
	KSAD_AUTH_AES_XCBC_96 = 5,
	KSAD_AUTH_AES_CMAC_96 = 8,
	KSAD_AUTH_AES_128_GMAC = 9,		/* refused: AH with GMAC */
	KSAD_AUTH_AES_192_GMAC = 10,
	KSAD_AUTH_AES_256_GMAC = 11,
	KSAD_AUTH_HMAC_SHA2_256_128 = 12,
	KSAD_AUTH_HMAC_SHA2_384_192 = 13,
	KSAD_AUTH_HMAC_SHA2_512_256 = 14,
};

#define KSAD_TRANSFORM_ID_MAX	1023	/* IANA's range below private use */

/* Encapsulations of ESP (KSAD_ENCAP_TYPE). */
enum ksad_encap_type {
	KSAD_ENCAP_ESPINUDP = 1,	/* ESP in UDP, RFC 3948 (NAT traversal) */
};

/* Why an SA event was sent on the "sa" group. */
enum ksad_event {
	KSAD_EVENT_LARVAL = 1,		/* GETSPI reserved an SPI */
	KSAD_EVENT_ADDED,
	KSAD_EVENT_UPDATED,
	KSAD_EVENT_DELETED,		/* by DELETE */
	KSAD_EVENT_EXPIRED,		/* hard lifetime reached, SA removed */
	KSAD_EVENT_LARVAL_EXPIRED,	/* never UPDATEd in time, removed */
	KSAD_EVENT_FLUSHED,		/* by FLUSH; carries proto if one */
	KSAD_EVENT_MIGRATED,		/* by SA_MIGRATE: new addresses or ports */
};

/* Lifetime limits and the counters they are checked against. */
enum ksad_lifetime_attrs {
	KSAD_LIFETIME_UNSPEC,
	KSAD_LIFETIME_BYTES,		/* u64 */
	KSAD_LIFETIME_PACKETS,		/* u64 */
	KSAD_LIFETIME_ADD_SECONDS,	/* u64, seconds since the SA was added */
	KSAD_LIFETIME_USE_SECONDS,	/* u64, seconds since its first use */
	KSAD_LIFETIME_PAD,

	__KSAD_LIFETIME_MAX,
	KSAD_LIFETIME_MAX = __KSAD_LIFETIME_MAX - 1
};

/* Traffic selector of an SA: what may travel through it. */
enum ksad_sel_attrs {
	KSAD_SEL_UNSPEC,
	KSAD_SEL_SRC_IPV4,		/* be32 */
	KSAD_SEL_SRC_IPV6,		/* 16 bytes */
	KSAD_SEL_DST_IPV4,		/* be32 */
	KSAD_SEL_DST_IPV6,		/* 16 bytes */
	KSAD_SEL_SRC_PREFIXLEN,		/* u8 */
	KSAD_SEL_DST_PREFIXLEN,		/* u8 */
	KSAD_SEL_PROTO,			/* u8, upper-layer protocol, 0 = any */
	KSAD_SEL_SRC_PORT,		/* be16, 0 = any */
	KSAD_SEL_DST_PORT,		/* be16, 0 = any */

	__KSAD_SEL_MAX,
	KSAD_SEL_MAX = __KSAD_SEL_MAX - 1
};

/*
 * UDP encapsulation of an ESP SA: the ports as they are on the wire in the
 * SA's packets (outbound: SPORT is this host's, DPORT the peer's; inbound
 * the other way round).  Both non-zero.
 */
enum ksad_encap_attrs {
	KSAD_ENCAP_UNSPEC,
	KSAD_ENCAP_TYPE,		/* u8, enum ksad_encap_type */
	KSAD_ENCAP_SPORT,		/* be16 */
	KSAD_ENCAP_DPORT,		/* be16 */

	__KSAD_ENCAP_MAX,
	KSAD_ENCAP_MAX = __KSAD_ENCAP_MAX - 1
};

/* Counters of an SA (replies and notifications only). */
enum ksad_stats_attrs {
	KSAD_STATS_UNSPEC,
	KSAD_STATS_BYTES,		/* u64 */
	KSAD_STATS_PACKETS,		/* u64 */
	KSAD_STATS_REPLAY_FAIL,		/* u64 */
	KSAD_STATS_INTEGRITY_FAIL,	/* u64 */
	KSAD_STATS_ADD_TIME,		/* u64, seconds since the Epoch */
	KSAD_STATS_FIRST_USE,		/* u64, 0 = never used */
	KSAD_STATS_LAST_USE,		/* u64, 0 = never used */
	KSAD_STATS_PAD,

	__KSAD_STATS_MAX,
	KSAD_STATS_MAX = __KSAD_STATS_MAX - 1
};

/*
 * Attributes of an SA; the top-level attribute set of the SA operations.
 * Addresses come as _IPV4 or _IPV6, never both; source and destination have
 * the same family.
 */
enum ksad_sa_attrs {
	KSAD_SA_UNSPEC,
	KSAD_SA_SPI,			/* u32, host byte order */
	KSAD_SA_PROTO,			/* u8, enum ksad_proto */
	KSAD_SA_DST_IPV4,		/* be32 */
	KSAD_SA_DST_IPV6,		/* 16 bytes */
	KSAD_SA_SRC_IPV4,		/* be32 */
	KSAD_SA_SRC_IPV6,		/* 16 bytes */
	KSAD_SA_DIR,			/* u8, enum ksad_dir */
	KSAD_SA_MODE,			/* u8, enum ksad_mode */
	KSAD_SA_STATE,			/* u8, enum ksad_state (replies) */
	KSAD_SA_REQID,			/* u32 */
	KSAD_SA_REPLAY_WINDOW,		/* u32, packets, <= 4096 */
	KSAD_SA_ESN,			/* flag: 64-bit extended sequence numbers */
	KSAD_SA_ENC_ALG,		/* u16, IKEv2 Transform Type 1 ID */
	KSAD_SA_ENC_KEY,		/* binary, never in replies */
	KSAD_SA_AUTH_ALG,		/* u16, IKEv2 Transform Type 3 ID */
	KSAD_SA_AUTH_KEY,		/* binary, never in replies */
	KSAD_SA_SELECTOR,		/* nest, enum ksad_sel_attrs */
	KSAD_SA_SOFT,			/* nest, enum ksad_lifetime_attrs */
	KSAD_SA_HARD,			/* nest, enum ksad_lifetime_attrs */
	KSAD_SA_STATS,			/* nest, enum ksad_stats_attrs (replies) */
	KSAD_SA_SPI_MIN,		/* u32, GETSPI range (default 256) */
	KSAD_SA_SPI_MAX,		/* u32, GETSPI range (default 2^32-1) */
	KSAD_SA_EVENT,			/* u32, enum ksad_event (SA_NTF) */
	KSAD_SA_EXPIRE_HARD,		/* flag: EXPIRE is the hard one */
	/*
	 * UDP encapsulation (nest, enum ksad_encap_attrs), ESP only, set by
	 * ADD or by the UPDATE that completes a larval SA.  The ports are part
	 * of an outbound SA's identity: two outbound SAs may share SPI and
	 * destination (two peers behind one NAT) if their ports differ, and
	 * GET, DELETE, UPDATE name such an SA with them.  Inbound SAs are
	 * named without them (their SPIs are unique here); their DPORT is a
	 * port on which ksad takes ESP in UDP.
	 */
	KSAD_SA_ENCAP,
	KSAD_SA_NEW_ENCAP,		/* nest: UPDATE moves a mature SA to these ports */
	/* MAPPING: where the peer's authenticated packets come from now */
	KSAD_SA_MAPPING_SRC_IPV4,	/* be32 */
	KSAD_SA_MAPPING_SRC_IPV6,	/* 16 bytes */
	KSAD_SA_MAPPING_SPORT,		/* be16 */
	KSAD_SA_ENC_KEY_BITS,		/* u16, IKEv2's Key Length attribute */
	/* SA_MIGRATE: where the SA goes (the rest of it stays) */
	KSAD_SA_NEW_DST_IPV4,		/* be32 */
	KSAD_SA_NEW_DST_IPV6,		/* 16 bytes */
	KSAD_SA_NEW_SRC_IPV4,		/* be32 */
	KSAD_SA_NEW_SRC_IPV6,		/* 16 bytes */
	KSAD_SA_NEW_ENCAP_NONE,		/* flag: no UDP encapsulation any more */
	KSAD_SA_MIGRATE_POLICIES,	/* flag: move its policies' tunnel ends too */

	__KSAD_SA_MAX,
	KSAD_SA_MAX = __KSAD_SA_MAX - 1
};

/*
 * Attributes of a security policy (SPD entry); the top-level attribute set
 * of the POLICY_* operations and of ACQUIRE.  Policies are searched by
 * ascending PRIORITY, then in the order they were added; the first whose
 * selector matches decides.  Traffic no policy matches passes in the clear.
 */
enum ksad_policy_attrs {
	KSAD_POLICY_UNSPEC,
	KSAD_POLICY_ID,			/* u32, given by POLICY_ADD */
	KSAD_POLICY_DIR,		/* u8, enum ksad_dir */
	KSAD_POLICY_ACTION,		/* u8, enum ksad_action */
	KSAD_POLICY_PRIORITY,		/* u32, lower first (default 1000) */
	KSAD_POLICY_SELECTOR,		/* nest, enum ksad_sel_attrs */
	KSAD_POLICY_PROTO,		/* u8, enum ksad_proto (protect) */
	KSAD_POLICY_MODE,		/* u8, enum ksad_mode (protect) */
	KSAD_POLICY_REQID,		/* u32, binds SAs of this reqid; 0 = any */
	KSAD_POLICY_TUN_SRC_IPV4,	/* be32, tunnel mode: outer source */
	KSAD_POLICY_TUN_SRC_IPV6,	/* 16 bytes */
	KSAD_POLICY_TUN_DST_IPV4,	/* be32, tunnel mode: outer destination */
	KSAD_POLICY_TUN_DST_IPV6,	/* 16 bytes */
	KSAD_POLICY_SPI,		/* u32, the bound outbound SA (replies) */
	KSAD_POLICY_PACKETS,		/* u64, packets it matched (replies) */
	KSAD_POLICY_PAD,
	KSAD_POLICY_ADD_TIME,		/* u64, seconds since the Epoch (replies) */
	KSAD_POLICY_LAST_USE,		/* u64, last packet matched; 0 = never (replies) */

	__KSAD_POLICY_MAX,
	KSAD_POLICY_MAX = __KSAD_POLICY_MAX - 1
};

/*
 * Datapath counters of a namespace (GET_STATS), like /proc/net/xfrm_stat.
 * All u64.
 */
enum ksad_stat_attrs {
	KSAD_STAT_UNSPEC,
	KSAD_STAT_IN_PACKETS,		/* decrypted and delivered */
	KSAD_STAT_OUT_PACKETS,		/* protected and sent */
	/* ESP/AH for an SPI ksad does not know: left to the rest of the stack */
	KSAD_STAT_IN_NO_SA,
	KSAD_STAT_IN_SA_NOT_READY,	/* larval SA, or outbound SA */
	KSAD_STAT_IN_REPLAY,		/* replayed or too old */
	KSAD_STAT_IN_INTEGRITY,		/* ICV check failed */
	KSAD_STAT_IN_BAD_PADDING,
	KSAD_STAT_IN_MALFORMED,		/* too short, bad next header... */
	/* inner packet outside the SA's selector or its inbound policy */
	KSAD_STAT_IN_POLICY_MISMATCH,
	/* packet in the clear that a protect policy wanted protected */
	KSAD_STAT_IN_PLAINTEXT_DROP,
	KSAD_STAT_IN_DISCARD,		/* inbound discard policy */
	KSAD_STAT_OUT_NO_SA,		/* protect policy, no SA: ACQUIRE */
	KSAD_STAT_OUT_DISCARD,		/* outbound discard policy */
	KSAD_STAT_OUT_SEQ_OVERFLOW,	/* sequence numbers exhausted */
	KSAD_STAT_OUT_ERROR,		/* no memory, no route... */
	KSAD_STAT_CRYPTO_ERROR,		/* the transform failed */
	KSAD_STAT_HARD_EXPIRED,		/* a datapath count hit a hard limit */
	KSAD_STAT_CRYPTO_ASYNC,		/* transforms that completed later */
	KSAD_STAT_PAD,
	/* ESP in UDP for an SA without that encapsulation or port, or back */
	KSAD_STAT_IN_ENCAP_MISMATCH,
	KSAD_STAT_IN_NAT_KEEPALIVE,	/* one-byte 0xFF to an encap port: consumed */

	__KSAD_STAT_MAX,
	KSAD_STAT_MAX = __KSAD_STAT_MAX - 1
};

/* Per-namespace settings (GET_CONFIG, SET_CONFIG). */
enum ksad_config_attrs {
	KSAD_CONFIG_UNSPEC,
	KSAD_CONFIG_LARVAL_TIMEOUT,	/* u32, seconds, 1-3600 */
	KSAD_CONFIG_SA_COUNT,		/* u32, SAs in this namespace (reply) */
	/*
	 * Limits of this namespace (ENOSPC beyond them).  New namespaces take
	 * the module parameters max_sas, max_larval, max_policies; only
	 * CAP_NET_ADMIN in the initial user namespace may change them.
	 */
	KSAD_CONFIG_MAX_SAS,		/* u32, SAs, larval ones included */
	KSAD_CONFIG_MAX_LARVAL,		/* u32, larval SAs (from GETSPI) */
	KSAD_CONFIG_MAX_POLICIES,	/* u32, policies */
	KSAD_CONFIG_LARVAL_COUNT,	/* u32, larval SAs now (reply) */
	KSAD_CONFIG_POLICY_COUNT,	/* u32, policies now (reply) */

	__KSAD_CONFIG_MAX,
	KSAD_CONFIG_MAX = __KSAD_CONFIG_MAX - 1
};

/*
 * Sockets exempt from ksad's policies (KSAD_CMD_SOCKET_BYPASS), as a keying
 * daemon's IKE sockets must be: named by their cookie (getsockopt
 * SO_COOKIE).  What such a socket sends, and what a UDP datagram for it
 * brings, meets no policy.  At most KSAD_BYPASS_MAX per namespace; the
 * daemon removes a socket's entry when it closes it.
 */
#define KSAD_BYPASS_MAX		1024

enum ksad_sock_attrs {
	KSAD_SOCK_UNSPEC,
	KSAD_SOCK_COOKIE,		/* u64, the socket's SO_COOKIE */
	KSAD_SOCK_REMOVE,		/* flag: no longer exempt */
	KSAD_SOCK_PAD,

	__KSAD_SOCK_MAX,
	KSAD_SOCK_MAX = __KSAD_SOCK_MAX - 1
};

enum ksad_cmd {
	KSAD_CMD_UNSPEC,
	/*
	 * Reserve a free inbound SPI for DST_*, PROTO in [SPI_MIN, SPI_MAX]
	 * (SPI_MIN == SPI_MAX asks for exactly that one) and create a larval
	 * SA that is removed after the larval timeout unless UPDATEd.  The
	 * reply carries the SA.  -ENOSPC: every SPI of the range is taken;
	 * -EEXIST: the one SPI asked for is taken.
	 */
	KSAD_CMD_GETSPI,
	/*
	 * Install a complete SA.  -EEXIST if one with the same identity
	 * exists.  An inbound SA without SPI gets a free one, as GETSPI would
	 * (the reply carries it).
	 */
	KSAD_CMD_ADD,
	/*
	 * Complete a larval SA, or change a mature one: only lifetimes, the
	 * replay window and the encapsulation ports (NEW_ENCAP) may change
	 * then (-EINVAL otherwise).  -ESRCH: no SA.
	 */
	KSAD_CMD_UPDATE,
	KSAD_CMD_DELETE,	/* by SPI, DST_*, PROTO; -ESRCH: no SA */
	KSAD_CMD_GET,		/* one SA, or dump (filters: PROTO, DIR, DST_*) */
	KSAD_CMD_FLUSH,		/* all SAs, or those of PROTO */
	KSAD_CMD_EXPIRE,	/* notification: soft or hard lifetime reached */
	/*
	 * Notification: an outbound packet matched a protect policy that has
	 * no usable SA (policy attributes; the selector is the packet's).  The
	 * packet was dropped.  One per (policy, destination) while pending:
	 * until an SA to it is added or the larval timeout passes.
	 */
	KSAD_CMD_ACQUIRE,
	KSAD_CMD_SA_NTF,	/* notification: an SA event (KSAD_SA_EVENT) */
	KSAD_CMD_GET_CONFIG,
	KSAD_CMD_SET_CONFIG,
	/*
	 * Security policies (enum ksad_policy_attrs).  POLICY_ADD answers with
	 * the policy and its ID; DELETE and GET take the ID; GET without one
	 * dumps them in search order.  FLUSH removes them all.
	 */
	KSAD_CMD_POLICY_ADD,
	KSAD_CMD_POLICY_DELETE,
	KSAD_CMD_POLICY_GET,
	KSAD_CMD_POLICY_FLUSH,
	KSAD_CMD_GET_STATS,	/* the namespace's counters (enum ksad_stat_attrs) */
	/*
	 * Notification: authenticated ESP in UDP for an inbound SA came from
	 * another address or port than the SA's SRC and ENCAP SPORT (the NAT's
	 * mapping changed).  Carries the SA (as GET) and MAPPING_*: the new
	 * source.  At most one per SA per second for the same new source.
	 * The keying daemon moves its SAs with UPDATE (NEW_ENCAP) or
	 * SA_MIGRATE.
	 */
	KSAD_CMD_MAPPING,
	/*
	 * Move a mature SA (named as for GET) to NEW_DST_*, NEW_SRC_* and/or
	 * NEW_ENCAP (NEW_ENCAP_NONE: none), IPv4 and IPv6 either way, keeping
	 * its keys, sequence numbers, replay window, lifetimes and counters
	 * (MOBIKE, RFC 4555; XFRM_MSG_MIGRATE).  MIGRATE_POLICIES: the tunnel
	 * ends of the policies that named the SA's old ones (its direction,
	 * protocol, reqid) move with it.  Packets meet the SA where it was or
	 * where it is, never neither.  -ESRCH: no SA; -EEXIST: one is there.
	 */
	KSAD_CMD_SA_MIGRATE,
	/*
	 * Exempt the socket KSAD_SOCK_COOKIE from the SPD, or no longer
	 * (KSAD_SOCK_REMOVE).  -EEXIST, -ENOENT; -ENOSPC beyond KSAD_BYPASS_MAX.
	 */
	KSAD_CMD_SOCKET_BYPASS,

	__KSAD_CMD_MAX,
	KSAD_CMD_MAX = __KSAD_CMD_MAX - 1
};

#endif /* _UAPI_LINUX_KSAD_H */
