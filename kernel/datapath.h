/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the packet path shares: the flow of a packet (what selectors are
 * matched against), security policies (spd.c), the anti-replay window
 * (replay.c), the ESP and AH transforms (esp.c, ah.c), the hooks (input.c,
 * output.c, hooks.c) and the ksad0 device that decrypted packets arrive on
 * (device.c).
 */
#ifndef _KSAD_DATAPATH_H
#define _KSAD_DATAPATH_H

#include <linux/ip.h>
#include <linux/list.h>
#include <linux/netdevice.h>
#include <linux/netfilter.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/skbuff.h>
#include <uapi/linux/ksad.h>

#include "ksad.h"
#include "sa.h"

struct genl_info;
struct ksad_pol_class;
struct iphdr;
struct netlink_callback;
struct nf_hook_state;

/* The part of a packet that selectors look at. */
struct ksad_flow {
	union ksad_addr saddr, daddr;
	u8 family;
	u8 proto;		/* upper-layer protocol */
	__be16 sport, dport;	/* 0 when the packet has none (or a fragment) */
};

/* The family of the IP packet at skb's network header. */
static inline u8 ksad_skb_family(const struct sk_buff *skb)
{
	return ip_hdr(skb)->version == 4 ? AF_INET : AF_INET6;
}

/* flow.c */
int ksad_flow_from_skb(const struct sk_buff *skb, u8 family,
		       struct ksad_flow *fl);
bool ksad_sel_match(const struct ksad_sel *sel, const struct ksad_flow *fl);
bool ksad_addr_any(const union ksad_addr *a);
bool ksad_addr_eq(u8 family, const union ksad_addr *a,
		  const union ksad_addr *b);
bool ksad_addr_in_prefix(u8 family, const union ksad_addr *net,
			 const union ksad_addr *a, u8 plen);
unsigned int ksad_ipv6_upper(const struct sk_buff *skb, u8 *proto,
			     unsigned int *prev);

/*
 * Where a policy is in the SPD's index (spd.c): its direction, its
 * selector's family and prefix lengths, and its addresses masked by them.
 */
struct ksad_pol_key {
	union ksad_addr saddr, daddr;
	u8 dir, family, sprefix, dprefix;
};

/* A security policy: one entry of the SPD (RFC 4301 4.4.1). */
struct ksad_policy {
	struct list_head list;		/* kn->policies, search order; RCU */
	struct rhlist_head node;	/* kn->pol_table, by key */
	struct ksad_pol_key key;
	struct ksad_pol_class *cls;	/* its class in the index */
	struct rcu_head rcu;
	u64 seq;			/* order of adding: older is lower */
	u32 id;
	u32 priority;
	u32 reqid;
	u8 dir;				/* enum ksad_dir */
	u8 action;			/* enum ksad_action */
	u8 proto;			/* protect: enum ksad_proto */
	u8 mode;			/* protect: enum ksad_mode */
	u8 tun_family;			/* tunnel: family of the endpoints */
	union ksad_addr tun_src, tun_dst;
	struct ksad_sel sel;
	time64_t add_time;		/* wall clock */
	time64_t last_use;		/* wall clock, 0 = never */
	unsigned long last_acquire;	/* jiffies, see acquire.c */
	u64 __percpu *packets;		/* packets it matched */
};

/* spd.c: the policy database of a namespace; changes under kn->lock */
int ksad_spd_init(struct ksad_net *kn);
int ksad_policy_live_count(void);
void ksad_spd_uninit(struct ksad_net *kn);
struct ksad_policy *ksad_spd_lookup_rcu(struct ksad_net *kn, u8 dir,
					const struct ksad_flow *fl);
struct ksad_sa *ksad_policy_sa_rcu(struct ksad_net *kn,
				   const struct ksad_policy *pol,
				   const struct ksad_flow *fl);
struct ksad_policy **ksad_spd_migrating(struct ksad_net *kn,
					const struct ksad_sa *sa, int *n);
void ksad_spd_migrate(const struct ksad_sa *sa, struct ksad_policy **pols,
		      int n);
struct ksad_policy *ksad_policy_alloc(void);
void ksad_policy_discard(struct ksad_policy *pol);
int ksad_spd_insert(struct ksad_net *kn, struct ksad_policy *pol);
typedef struct sk_buff *(*ksad_policy_reply_t)(void *ctx, struct ksad_net *kn,
					       struct ksad_policy *pol);
int ksad_spd_add(struct ksad_net *kn, struct ksad_policy *pol,
		 ksad_policy_reply_t reply, void *ctx, struct sk_buff **msg,
		 struct netlink_ext_ack *extack);
int ksad_spd_remove(struct ksad_net *kn, u32 id);
int ksad_policy_fill(struct sk_buff *skb, struct ksad_net *kn,
		     struct ksad_policy *pol, const struct ksad_flow *acquired,
		     u32 portid, u32 seq, int flags, u8 cmd);
int ksad_nl_policy_add(struct sk_buff *skb, struct genl_info *info);
int ksad_nl_policy_delete(struct sk_buff *skb, struct genl_info *info);
int ksad_nl_policy_get(struct sk_buff *skb, struct genl_info *info);
int ksad_nl_policy_dump(struct sk_buff *skb, struct netlink_callback *cb);
int ksad_nl_policy_flush(struct sk_buff *skb, struct genl_info *info);
extern const struct nla_policy ksad_policy_policy[KSAD_POLICY_MAX + 1];

/* bypass.c: sockets exempt from the SPD */
int ksad_bypass_init(struct ksad_net *kn);
void ksad_bypass_uninit(struct ksad_net *kn);
bool ksad_bypass_out(struct ksad_net *kn, struct sk_buff *skb);
bool ksad_bypass_in(struct ksad_net *kn, struct sk_buff *skb,
		    const struct ksad_flow *fl);
int ksad_nl_socket_bypass(struct sk_buff *skb, struct genl_info *info);
extern const struct nla_policy ksad_sock_policy[KSAD_SOCK_MAX + 1];

/* acquire.c: ACQUIRE, once per (policy, destination) while pending */
int ksad_acquire_init(struct ksad_net *kn);
void ksad_acquire_uninit(struct ksad_net *kn);
void ksad_acquire(struct ksad_net *kn, struct ksad_policy *pol,
		  const struct ksad_flow *fl);
void ksad_acquire_done(struct ksad_net *kn, u8 family,
		       const union ksad_addr *daddr);
u32 ksad_acquire_pending(struct ksad_net *kn);

/* replay.c: RFC 4303 3.4.3 and appendix A */
int ksad_replay_init(struct ksad_replay *r, u32 window);
void ksad_replay_destroy(struct ksad_replay *r);
u64 ksad_replay_infer(const struct ksad_replay *r, u32 seq_lo, bool esn);
bool ksad_replay_check(const struct ksad_replay *r, u64 seq);
void ksad_replay_advance(struct ksad_replay *r, u64 seq);

/* Per-namespace datapath counters (enum ksad_stat_attrs). */
struct ksad_stats {
	u64 c[KSAD_STAT_MAX + 1];
};

static inline void ksad_count(struct ksad_net *kn, int what)
{
	this_cpu_inc(kn->stats->c[what]);
}

u64 ksad_stat_sum(struct ksad_net *kn, int what);
int ksad_nl_get_stats(struct sk_buff *skb, struct genl_info *info);

typedef void (*ksad_esp_in_done_t)(struct ksad_sa *sa, struct sk_buff *skb,
				   unsigned int off, u64 seq, int err);

/* esp.c: the ESP transform; both directions may complete asynchronously */
int ksad_esp_output(struct ksad_sa *sa, struct sk_buff *skb,
		    unsigned int hlen, u8 nexthdr, u64 seq);
int ksad_esp_input(struct ksad_sa *sa, struct sk_buff *skb,
		   unsigned int esp_off, u64 seq);
int ksad_esp_input_to(struct ksad_sa *sa, struct sk_buff *skb,
		      unsigned int esp_off, u64 seq,
		      ksad_esp_in_done_t done);	/* KUnit too */
unsigned int ksad_esp_overhead(const struct ksad_sa *sa);
unsigned int ksad_esp_hlen(const struct ksad_sa *sa);

/* ah.c: the AH transform; may complete asynchronously too */
int ksad_ah_output(struct ksad_sa *sa, struct sk_buff *skb,
		   unsigned int hlen, u8 nexthdr, u64 seq);
int ksad_ah_input(struct ksad_sa *sa, struct sk_buff *skb, unsigned int off,
		  u64 seq);
int ksad_ah_strip(struct ksad_sa *sa, struct sk_buff *skb, unsigned int off);
unsigned int ksad_ah_hlen(const struct ksad_sa *sa);
int ksad_ah_mute_options(struct iphdr *iph, bool out);	/* KUnit too */
int ksad_ah_mute_exthdrs(u8 *nh, unsigned int hlen);	/* KUnit too */

/* encap.c: ESP in UDP */
int ksad_encap_input(struct ksad_net *kn, struct sk_buff *skb, u8 family,
		     unsigned int off, unsigned int hook);
int ksad_encap_push(struct sk_buff *skb, unsigned int hlen,
		    const struct ksad_encap *e);
void ksad_encap_finish(struct sk_buff *skb, u8 family);
unsigned int ksad_encap_offset(const struct sk_buff *skb, u8 family);

/* output.c, input.c: what runs when a transform has finished */
void ksad_output_finish(struct ksad_sa *sa, struct sk_buff *skb, int err);
void ksad_input_finish(struct ksad_sa *sa, struct sk_buff *skb,
		       unsigned int off, u64 seq, int err);
unsigned int ksad_input_ipsec(struct ksad_net *kn, struct sk_buff *skb,
			      u8 family, unsigned int off, u8 proto,
			      __be16 encap_dport);
unsigned int ksad_output_hook(void *priv, struct sk_buff *skb,
			      const struct nf_hook_state *state);
unsigned int ksad_input_hook(void *priv, struct sk_buff *skb,
			     const struct nf_hook_state *state);
unsigned int ksad_forward_hook(void *priv, struct sk_buff *skb,
			       const struct nf_hook_state *state);

/*
 * bench.c's packets: ksad_output_finish() and ksad_input_finish() hand each
 * of them back, with the error if it was dropped (bench builds).
 */
#define KSAD_BENCH_MARK	0x6b736164	/* "ksad" */
void ksad_bench_sent(struct sk_buff *skb, int err);

/* Is @skb bench.c's?  Then it has it back (with @err), not sent or delivered. */
static inline bool ksad_bench_take(struct sk_buff *skb, int err)
{
#ifdef KSAD_BENCH
	if (skb->mark == KSAD_BENCH_MARK) {
		ksad_bench_sent(skb, err);
		return true;
	}
#endif
	return false;
}

/* netns.c: a namespace's requests in flight in the crypto API */
bool ksad_inflight_get(struct ksad_net *kn);
void ksad_inflight_put(struct ksad_net *kn);
void ksad_inflight_drain(struct ksad_net *kn);

/* hooks.c: netfilter hooks of a namespace */
void ksad_hooks_init(void);
void ksad_hooks_uninit(void);
int ksad_hooks_register(struct net *net);
void ksad_hooks_unregister(struct net *net);

static inline u8 ksad_hook_family(const struct nf_hook_state *state)
{
	return state->pf == NFPROTO_IPV4 ? AF_INET : AF_INET6;
}

/* device.c: ksad0, where decrypted packets come in */
int ksad_device_init(void);
void ksad_device_uninit(void);
void ksad_device_rx(struct ksad_net *kn, struct sk_buff *skb, bool csum_ok);
bool ksad_device_is(struct ksad_net *kn, const struct net_device *dev);

#endif /* _KSAD_DATAPATH_H */
