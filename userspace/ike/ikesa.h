/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An IKE SA and its CHILD SA (RFC 7296): IKE_SA_INIT and IKE_AUTH with a
 * pre-shared key, as initiator or responder; then CREATE_CHILD_SA (rekeying
 * the CHILD SA, with or without PFS, and the IKE SA) and INFORMATIONAL
 * (Delete, liveness) in both roles.  The engine turns received datagrams
 * into datagrams to send; keying the kernel goes through struct ike_kernel
 * (kernel.c: GETSPI, UPDATE, ADD in the seed's order, DELETE; a stub in
 * the unit tests).
 */
#ifndef KSAD_IKE_IKESA_H
#define KSAD_IKE_IKESA_H

#include <stdbool.h>
#include <stdint.h>

#include "dh.h"
#include "keys.h"
#include "msg.h"
#include "sk.h"

#define IKE_ENCR_CHACHA20_POLY1305	28
#define IKE_PRF_HMAC_SHA2_256		5

/* An IKE proposal: encryption (+ integrity), PRF, key exchange group. */
struct ike_suite {
	uint16_t encr, bits, integ, prf, dh;
};

/* An ESP proposal; @dh: PFS group for CREATE_CHILD_SA (0: none). */
struct esp_suite {
	uint16_t encr, bits, integ, dh;
};

struct ike_addr {
	int family;			/* AF_INET or AF_INET6 */
	uint8_t a[16];
	uint16_t port;
};

struct ike_cfg {
	struct ike_addr local, remote;
	char local_id[128], remote_id[128];
	uint8_t psk[128];
	size_t psk_len;
	struct ike_suite ike[4];
	size_t n_ike;
	struct esp_suite esp[4];
	size_t n_esp;
	uint8_t mode;			/* 1 transport, 2 tunnel */
	struct ike_ts local_ts, remote_ts;
	uint32_t reqid;
	uint32_t lifetime;		/* CHILD SAs' hard lifetime, s (0: none) */
	bool trap;			/* the outbound policy is the daemon's (on demand) */
	/* as responder: answer IKE_SA_INIT without a valid COOKIE with one (2.6) */
	bool cookies;
	uint8_t cookie_secret[32];
	uint8_t cookie_version;		/* changes with the secret */
};

struct ike_child {
	uint32_t spi_in, spi_out;	/* ours (GETSPI), the peer's */
	struct esp_suite suite;
	uint8_t mode;
	size_t enc_len, integ_len;	/* key bytes per direction */
	/* encryption key (36 bytes at most) | integrity key (64) */
	uint8_t key_in[100], key_out[100];
	struct ike_ts ts_local, ts_remote;
	struct ike_addr local, remote;
	uint32_t reqid;
	bool encap;			/* ESP in UDP: IKE went to port 4500 */
	uint16_t encap_sport, encap_dport;	/* as our packets carry them */
	/* a rekey: the policies are the old CHILD SA's, none to add */
	bool rekey;
	bool trap;			/* the outbound policy exists (a trap) */
	uint32_t lifetime;		/* hard, seconds; soft a little before */
	uint32_t pol_id[3];		/* ksad's policy IDs (0: none) */
};

/* How the engine keys the kernel; each returns 0 or -errno. */
struct ike_kernel {
	int (*getspi)(void *ctx, const struct ike_child *c, uint32_t *spi);
	int (*update_in)(void *ctx, struct ike_child *c);
	int (*add_out)(void *ctx, struct ike_child *c);
	/* DELETE both SAs (the inbound one only if spi_out is 0); policies too? */
	int (*del)(void *ctx, const struct ike_child *c, bool policies);
	void *ctx;
};

enum ike_state {
	IKE_IDLE, IKE_INIT_SENT, IKE_AUTH_SENT, IKE_INIT_DONE, IKE_ESTABLISHED,
	IKE_FAILED,
	IKE_REKEYED,	/* replaced by a new IKE SA, waits for its Delete */
	IKE_DELETED,	/* gone; its CHILD SAs left ksad (or moved on) */
};

/* What we asked the peer, awaiting the answer (after IKE_AUTH). */
enum ike_req {
	IKE_REQ_NONE, IKE_REQ_DPD, IKE_REQ_REKEY_CHILD, IKE_REQ_REKEY_IKE,
	IKE_REQ_DELETE_CHILD, IKE_REQ_DELETE_OLD_CHILD, IKE_REQ_DELETE_IKE,
	IKE_REQ_NEW_CHILD,
	IKE_REQ_DELETE_EXTRA,	/* the redundant CHILD SA of a rekey collision */
};

#define IKE_NONCE_MAX	64
#define IKE_MAX_CHILDREN	4
#define IKE_MSG_MAX	2048

struct ike_sa {
	const struct ike_cfg *cfg;
	const struct ike_kernel *k;
	bool initiator;
	enum ike_state state;
	uint64_t spi_i, spi_r;
	uint8_t ni[32], nr[32];
	struct ike_dh dh;
	struct ike_suite suite;
	uint8_t sk_d[IKE_PRF_LEN], sk_pi[IKE_PRF_LEN], sk_pr[IKE_PRF_LEN];
	struct ike_sk_keys ki, kr;	/* initiator -> responder, and back */
	uint8_t init_req[1024], init_resp[1024];
	size_t init_req_len, init_resp_len;
	struct ike_child child[IKE_MAX_CHILDREN];	/* [0]: IKE_AUTH's */
	/* NAT_DETECTION_*_IP showed a NAT: ESP goes in UDP, IKE to 4500 */
	bool nat_detected;
	bool nat_local;			/* ... and it is on our side */
	struct ike_addr peer;		/* the peer's address as we see it */
	/* set by the caller: the packet an ACQUIRE was for (sent first, 2.9) */
	bool pkt_ts;
	struct ike_ts pkt_local, pkt_remote;
	/* set by the caller: the exchange runs on port 4500 (NAT-T) */
	bool natt;
	uint16_t natt_local_port, natt_peer_port;
	uint16_t notify;		/* IKE_FAILED: the error notify type */
	const char *why;		/* IKE_FAILED: in words */

	/* message IDs after IKE_SA_INIT: a window of one each way (2.3) */
	uint32_t req_id;		/* of our next (or outstanding) request */
	uint32_t peer_id;		/* of the peer's next request */
	enum ike_req pending;		/* our outstanding request */
	uint8_t req[IKE_MSG_MAX];	/* it, for retransmission */
	size_t req_len;
	uint8_t resp[IKE_MSG_MAX];	/* our last answer (retransmitted requests) */
	size_t resp_len;
	bool child_up[IKE_MAX_CHILDREN];	/* child[n] is in ksad */
	struct ike_child old;		/* the CHILD SA a rekey replaced, until deleted */
	bool has_old;
	/*
	 * A rekey collision (2.8.1, 2.25.1): the peer rekeyed the CHILD SA we
	 * are rekeying.  Its exchange's lower nonce, to compare with ours when
	 * our answer comes; the peer's new CHILD SA waits in @extra until then.
	 * The redundant one (its exchange has the lowest of the four nonces)
	 * is deleted by the side that asked for it; it waits in @extra for
	 * that Delete.
	 */
	enum {
		IKE_COLL_NONE,
		IKE_COLL_PENDING,	/* the old SA in its slot, the peer's in @extra */
		IKE_COLL_OLD_GONE,	/* the peer deleted the old: its new one in the slot */
		IKE_COLL_THEIRS_GONE,	/* the peer deleted its new one: ours stays */
	} collided;
	uint8_t coll_low[IKE_NONCE_MAX];
	size_t coll_low_len;
	struct ike_child extra;
	bool has_extra;
	int target;			/* the child ike_sa_request() rekeys or deletes */
	int next_slot;			/* where the CHILD SA being made goes */
	/* CREATE_CHILD_SA we started: our nonce, key pair, new SAs */
	uint8_t xn[IKE_NONCE_MAX];
	size_t xn_len;
	struct ike_dh xdh;
	uint64_t new_spi;
	struct ike_child next;
	/* an IKE rekey fills this SA (the caller's) with the new one */
	struct ike_sa *successor;
	bool rekeyed;			/* ... and sets this */
	char event[160];		/* what just happened, for the log */
};

int ike_sa_initiate(struct ike_sa *sa, const struct ike_cfg *cfg,
		    const struct ike_kernel *k, uint8_t *out, size_t cap,
		    size_t *len);
int ike_sa_respond(struct ike_sa *sa, const struct ike_cfg *cfg,
		   const struct ike_kernel *k, const struct ike_addr *from,
		   const uint8_t *in, size_t in_len, uint8_t *out, size_t cap,
		   size_t *len);
int ike_sa_input(struct ike_sa *sa, const uint8_t *in, size_t in_len,
		 uint8_t *out, size_t cap, size_t *len);
int ike_sa_request(struct ike_sa *sa, enum ike_req what, uint8_t *out,
		   size_t cap, size_t *len);
int ike_sa_new_child(struct ike_sa *sa, const struct ike_ts *local_ts,
		     const struct ike_ts *remote_ts, uint8_t *out, size_t cap,
		     size_t *len);
int ike_sa_child_by_spi(const struct ike_sa *sa, uint32_t spi, bool inbound);
void ike_sa_dead(struct ike_sa *sa);
void ike_sa_free(struct ike_sa *sa);

bool ike_ts_narrow(const struct ike_ts *proposed, const struct ike_ts *mine,
		   struct ike_ts *out);

#endif
