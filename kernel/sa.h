/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The Security Association: its identity, its parameters, its counters, and
 * the parsed request that creates or changes one (struct ksad_sa_cfg, filled
 * by netlink.c or by a KUnit test).
 */
#ifndef _KSAD_SA_H
#define _KSAD_SA_H

#include <linux/in6.h>
#include <linux/rhashtable-types.h>
#include <linux/spinlock.h>
#include <linux/timer.h>
#include <linux/workqueue.h>
#include <uapi/linux/ksad.h>

struct ksad_net;
struct netlink_ext_ack;

union ksad_addr {
	__be32 a4;
	struct in6_addr a6;
};

/*
 * Identity of an SA.  Compared as words: padding must be zero.  The UDP
 * ports are an outbound SA's encapsulation ports, zero for every other SA.
 */
struct ksad_sa_key {
	union ksad_addr daddr;
	u32 spi;
	u8 proto;		/* enum ksad_proto */
	u8 family;		/* AF_INET or AF_INET6 */
	__be16 encap_sport;
	__be16 encap_dport;
	u16 pad;
};

/* UDP encapsulation (RFC 3948): the ports as in the SA's packets. */
struct ksad_encap {
	u8 type;		/* enum ksad_encap_type, 0: none */
	__be16 sport, dport;
};

static inline bool ksad_encap_eq(const struct ksad_encap *a,
				 const struct ksad_encap *b)
{
	return a->type == b->type && a->sport == b->sport &&
	       a->dport == b->dport;
}

/* A lifetime limit; 0 means no limit. */
struct ksad_lifetime {
	u64 bytes;
	u64 packets;
	u64 add_seconds;
	u64 use_seconds;
};

struct ksad_sel {
	union ksad_addr saddr, daddr;
	u8 family;		/* 0: the SA carries any traffic */
	u8 sprefix, dprefix;
	u8 proto;
	__be16 sport, dport;
};

/* Transforms of an SA; set once, when the SA becomes mature. */
struct ksad_crypto {
	struct crypto_aead *aead;	/* ESP */
	struct crypto_ahash *ahash;	/* AH */
	u16 enc_alg;		/* IKEv2 Transform Type 1 ID (ESP) */
	u16 enc_key_bits;	/* its key length, salt not counted */
	u16 auth_alg;		/* Type 3 ID; KSAD_AUTH_NONE: combined mode */
	bool random_iv;		/* CBC: random IVs; the others: the seq */
	u8 icv_len;		/* bytes, <= 32 */
	u8 iv_len;		/* bytes, <= 16 */
	u8 align;		/* padding: payload + 2 to this, <= 16 */
};

/* Anti-replay state of an inbound SA (replay.c). */
struct ksad_replay {
	u64 top;		/* highest authenticated sequence number */
	u32 window;		/* packets; 0: no replay check */
	u32 nbits;		/* size of @bits, a power of two */
	unsigned long *bits;	/* bit (seq % nbits): seq was received */
};

/* Written per packet first (ksad_sa's hot cache line), the rest after. */
struct ksad_sa_stats {
	u64 bytes;
	u64 packets;
	time64_t last_use;	/* wall clock, 0 = never */
	time64_t first_use;	/* wall clock, 0 = never */
	u64 replay_fail;
	u64 integrity_fail;
	time64_t add_time;	/* wall clock, for reports */
	u64 add_boot;		/* boottime ns, for deadlines */
	u64 first_use_boot;	/* boottime ns, 0 = never */
};

struct ksad_sa {
	struct rhash_head node;		/* kn->sa_table, by key */
	struct rhlist_head out_node;	/* outbound: kn->out_sas */
	struct ksad_sa_key key;
	u32 id;				/* index in kn->sas; wraps */
	refcount_t refcnt;
	u32 reqid;
	u64 gen;			/* order of linking: newer is higher */
	struct ksad_net *kn;

	u8 state;			/* enum ksad_state; 0 once unlinked */
	u8 dir;				/* enum ksad_dir */
	u8 mode;			/* enum ksad_mode */
	bool esn;
	bool soft_expired;
	bool seq_exhausted;		/* outbound: no sequence number left */
	bool spi_reserved;		/* holds a reference in kn->spis */
	bool encap_port_held;		/* inbound: counted on encap.dport */
	union ksad_addr saddr;
	struct ksad_sel sel;
	struct ksad_crypto crypto;
	struct ksad_lifetime soft, hard;
	/*
	 * UDP encapsulation: type fixed once mature; ports change under
	 * kn->migrate_lock (sad.c).  Inbound: the last MAPPING sent
	 * (encap.c), under @lock.
	 */
	struct ksad_encap encap;
	__be16 mapped_port;
	unsigned long mapped_at;	/* jiffies; mapped_addr below */

	/*
	 * What every packet writes, in one cache line (offset 256 of the 512
	 * of a 64-bit kernel without lock debugging; kmalloc-512 aligns SAs):
	 * the sequence number or the replay window's top and bitmap pointer,
	 * the lock, bytes, packets, last use.
	 */
	u64 out_seq;			/* outbound: last sequence number sent */
	spinlock_t lock;		/* stats, out_seq, replay, mapped_* */
	u32 replay_window;
	struct ksad_replay replay;	/* inbound */
	struct ksad_sa_stats stats;

	union ksad_addr mapped_addr;	/* the last MAPPING's, under @lock */

	struct timer_list timer;	/* next lifetime deadline */
	struct work_struct expire_work;	/* runs what the timer found due */
	struct rcu_work free_work;
};

/* A request, as parsed from netlink; @set has a bit per KSAD_SA_* given. */
struct ksad_sa_cfg {
	u64 set;
	struct ksad_sa_key key;
	union ksad_addr saddr;
	u8 dir, mode;
	bool esn;
	u32 reqid, replay_window;
	u32 spi_min, spi_max;
	u16 enc_alg, enc_key_bits, auth_alg;
	const u8 *enc_key, *auth_key;
	unsigned int enc_key_len, auth_key_len;
	struct ksad_sel sel;
	struct ksad_lifetime soft, hard;
	struct ksad_encap encap, new_encap;
	/* SA_MIGRATE: 0 where not given */
	u8 new_family, new_sfamily;
	union ksad_addr new_daddr, new_saddr;
};

static inline bool ksad_cfg_has(const struct ksad_sa_cfg *cfg, int attr)
{
	return cfg->set & BIT_ULL(attr);
}

/* sad.c: the database of one namespace */
int ksad_sad_init(struct ksad_net *kn);
void ksad_sad_uninit(struct ksad_net *kn);
struct ksad_sa *ksad_sad_getspi(struct ksad_net *kn,
				const struct ksad_sa_cfg *cfg,
				struct netlink_ext_ack *extack);
struct ksad_sa *ksad_sad_add(struct ksad_net *kn, const struct ksad_sa_cfg *cfg,
			     struct netlink_ext_ack *extack);
struct ksad_sa *ksad_sad_update(struct ksad_net *kn,
				const struct ksad_sa_cfg *cfg,
				struct netlink_ext_ack *extack);
struct ksad_sa *ksad_sad_migrate(struct ksad_net *kn,
				 const struct ksad_sa_cfg *cfg,
				 struct netlink_ext_ack *extack);
int ksad_sad_delete(struct ksad_net *kn, const struct ksad_sa_key *key,
		    struct netlink_ext_ack *extack);
struct ksad_sa *ksad_sad_get(struct ksad_net *kn, const struct ksad_sa_key *key);
unsigned int ksad_sad_flush(struct ksad_net *kn, u8 proto);
struct ksad_sa *ksad_sad_lookup_rcu(struct ksad_net *kn,
				    const struct ksad_sa_key *key);
u32 ksad_sa_key_hash(const struct ksad_sa_key *key, u32 seed);
struct rhlist_head *ksad_sad_dest_rcu(struct ksad_net *kn, u8 family,
				      const union ksad_addr *daddr, u8 proto);
void ksad_sa_put(struct ksad_sa *sa);
int ksad_sa_live_count(void);
void ksad_sad_remove(struct ksad_sa *sa, u32 event);
unsigned int ksad_sad_count(struct ksad_net *kn);

/* lifetime.c: soft and hard limits, larval timeout */
#define KSAD_LT_SOFT	BIT(0)
#define KSAD_LT_HARD	BIT(1)
unsigned int ksad_lifetime_check(const struct ksad_sa *sa, u64 now,
				 u32 larval_timeout, u64 *next);
void ksad_lifetime_arm(struct ksad_sa *sa);
void ksad_lifetime_expire_work(struct work_struct *work);
void ksad_lifetime_timer(struct timer_list *t);
void ksad_lifetime_kick(struct ksad_sa *sa);
int ksad_lifetime_use(struct ksad_sa *sa, unsigned int len);

/* crypto.c: algorithms and transforms */
int ksad_crypto_validate(u8 proto, const struct ksad_sa_cfg *cfg,
			 struct netlink_ext_ack *extack);
int ksad_crypto_init(struct ksad_crypto *c, u8 proto,
		     const struct ksad_sa_cfg *cfg,
		     struct netlink_ext_ack *extack);
void ksad_crypto_destroy(struct ksad_crypto *c);

/* notify.c: SA messages, replies and multicast notifications */
struct sk_buff;
int ksad_nl_fill_sa(struct sk_buff *skb, struct ksad_sa *sa, u32 portid,
		    u32 seq, int flags, u8 cmd, u32 event);
void ksad_notify_sa(struct ksad_sa *sa, u32 event);
void ksad_notify_expire(struct ksad_sa *sa, bool hard);
void ksad_notify_flush(struct ksad_net *kn, u8 proto);
int ksad_put_addr(struct sk_buff *skb, int a4, int a6, u8 family,
		  const union ksad_addr *addr);
int ksad_put_u64(struct sk_buff *skb, int type, u64 value);
int ksad_put_sel(struct sk_buff *skb, int type, const struct ksad_sel *sel);

/* encap.c: UDP encapsulation ports of a namespace, MAPPING */
void ksad_encap_init(struct ksad_net *kn);
void ksad_encap_uninit(struct ksad_net *kn);
int ksad_encap_port_get(struct ksad_net *kn, __be16 port);
void ksad_encap_port_put(struct ksad_net *kn, __be16 port);
void ksad_encap_mapping(struct ksad_sa *sa, u8 family,
			const union ksad_addr *saddr, __be16 sport);

/* netlink.c: parsing shared with the SPD's operations */
struct nlattr;
int ksad_nl_addr(struct nlattr **tb, int a4, int a6, u8 *family,
		 union ksad_addr *addr, struct netlink_ext_ack *extack);
int ksad_nl_sel(struct nlattr *nest, struct ksad_sel *sel,
		struct netlink_ext_ack *extack);
int ksad_nl_only(struct nlattr **tb, int max, u64 allowed,
		 struct netlink_ext_ack *extack);

#endif /* _KSAD_SA_H */
