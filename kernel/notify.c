// SPDX-License-Identifier: GPL-2.0
/*
 * SA messages: one fill function for replies, dumps and the notifications on
 * the "sa", "expire" and "mapping" multicast groups.  Keys are never sent.
 */
#include <linux/socket.h>
#include <net/genetlink.h>
#include <net/ipv6.h>

#include "datapath.h"
#include "ksad.h"
#include "sa.h"

int ksad_put_addr(struct sk_buff *skb, int a4, int a6, u8 family,
		  const union ksad_addr *addr)
{
	if (family == AF_INET)
		return nla_put_in_addr(skb, a4, addr->a4);
	return nla_put_in6_addr(skb, a6, &addr->a6);
}

/*
 * u64 values go out without alignment padding: readers copy them, and the
 * generic YNL client (6.12) cannot decode pad attributes.
 */
int ksad_put_u64(struct sk_buff *skb, int type, u64 value)
{
	return nla_put(skb, type, sizeof(value), &value);
}

static int ksad_put_lifetime(struct sk_buff *skb, int type,
			     const struct ksad_lifetime *lt)
{
	struct nlattr *nest;

	if (!lt->bytes && !lt->packets && !lt->add_seconds && !lt->use_seconds)
		return 0;
	nest = nla_nest_start(skb, type);
	if (!nest ||
	    (lt->bytes && ksad_put_u64(skb, KSAD_LIFETIME_BYTES, lt->bytes)) ||
	    (lt->packets && ksad_put_u64(skb, KSAD_LIFETIME_PACKETS, lt->packets)) ||
	    (lt->add_seconds && ksad_put_u64(skb, KSAD_LIFETIME_ADD_SECONDS, lt->add_seconds)) ||
	    (lt->use_seconds && ksad_put_u64(skb, KSAD_LIFETIME_USE_SECONDS, lt->use_seconds)))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

int ksad_put_sel(struct sk_buff *skb, int type, const struct ksad_sel *sel)
{
	struct nlattr *nest;

	if (!sel->family)
		return 0;
	nest = nla_nest_start(skb, type);
	if (!nest ||
	    ksad_put_addr(skb, KSAD_SEL_SRC_IPV4, KSAD_SEL_SRC_IPV6, sel->family,
			  &sel->saddr) ||
	    ksad_put_addr(skb, KSAD_SEL_DST_IPV4, KSAD_SEL_DST_IPV6, sel->family,
			  &sel->daddr) ||
	    nla_put_u8(skb, KSAD_SEL_SRC_PREFIXLEN, sel->sprefix) ||
	    nla_put_u8(skb, KSAD_SEL_DST_PREFIXLEN, sel->dprefix) ||
	    nla_put_u8(skb, KSAD_SEL_PROTO, sel->proto) ||
	    nla_put_be16(skb, KSAD_SEL_SRC_PORT, sel->sport) ||
	    nla_put_be16(skb, KSAD_SEL_DST_PORT, sel->dport))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

/* UDP encapsulation, and for MAPPING the peer's new address and port. */
static int ksad_put_encap(struct sk_buff *skb, struct ksad_sa *sa, u8 cmd)
{
	union ksad_addr mapped;
	struct ksad_encap e;
	struct nlattr *nest;
	__be16 mport;

	spin_lock_bh(&sa->lock);
	e = sa->encap;
	mapped = sa->mapped_addr;
	mport = sa->mapped_port;
	spin_unlock_bh(&sa->lock);
	if (!e.type)
		return 0;
	nest = nla_nest_start(skb, KSAD_SA_ENCAP);
	if (!nest ||
	    nla_put_u8(skb, KSAD_ENCAP_TYPE, e.type) ||
	    nla_put_be16(skb, KSAD_ENCAP_SPORT, e.sport) ||
	    nla_put_be16(skb, KSAD_ENCAP_DPORT, e.dport))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	if (cmd != KSAD_CMD_MAPPING)
		return 0;
	if (ksad_put_addr(skb, KSAD_SA_MAPPING_SRC_IPV4,
			  KSAD_SA_MAPPING_SRC_IPV6, sa->key.family, &mapped) ||
	    nla_put_be16(skb, KSAD_SA_MAPPING_SPORT, mport))
		return -EMSGSIZE;
	return 0;
}

/* ESP: its encryption (and key length); integrity unless combined mode. */
static int ksad_put_algs(struct sk_buff *skb, const struct ksad_sa *sa)
{
	const struct ksad_crypto *c = &sa->crypto;

	if (sa->key.proto == KSAD_PROTO_ESP &&
	    (nla_put_u16(skb, KSAD_SA_ENC_ALG, c->enc_alg) ||
	     (c->enc_key_bits &&
	      nla_put_u16(skb, KSAD_SA_ENC_KEY_BITS, c->enc_key_bits))))
		return -EMSGSIZE;
	if (c->auth_alg != KSAD_AUTH_NONE &&
	    nla_put_u16(skb, KSAD_SA_AUTH_ALG, c->auth_alg))
		return -EMSGSIZE;
	return 0;
}

static int ksad_put_stats(struct sk_buff *skb, struct ksad_sa *sa)
{
	struct ksad_sa_stats st;
	struct nlattr *nest;

	spin_lock_bh(&sa->lock);
	st = sa->stats;
	spin_unlock_bh(&sa->lock);

	nest = nla_nest_start(skb, KSAD_SA_STATS);
	if (!nest ||
	    ksad_put_u64(skb, KSAD_STATS_BYTES, st.bytes) ||
	    ksad_put_u64(skb, KSAD_STATS_PACKETS, st.packets) ||
	    ksad_put_u64(skb, KSAD_STATS_REPLAY_FAIL, st.replay_fail) ||
	    ksad_put_u64(skb, KSAD_STATS_INTEGRITY_FAIL, st.integrity_fail) ||
	    ksad_put_u64(skb, KSAD_STATS_ADD_TIME, st.add_time) ||
	    ksad_put_u64(skb, KSAD_STATS_FIRST_USE, st.first_use) ||
	    ksad_put_u64(skb, KSAD_STATS_LAST_USE, st.last_use))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

/**
 * ksad_nl_fill_sa() - append one SA message to @skb
 * @skb: the message buffer
 * @sa: the SA (a reference, or kn->lock, held)
 * @portid: netlink port of the receiver (0 for multicast)
 * @seq: sequence number to answer
 * @flags: netlink message flags
 * @cmd: enum ksad_cmd of the message
 * @event: enum ksad_event to include, or 0; for KSAD_CMD_EXPIRE,
 *	   KSAD_LT_SOFT or KSAD_LT_HARD
 *
 * Return: 0 or -EMSGSIZE (the message is cancelled).
 */
int ksad_nl_fill_sa(struct sk_buff *skb, struct ksad_sa *sa, u32 portid,
		    u32 seq, int flags, u8 cmd, u32 event)
{
	u8 state = READ_ONCE(sa->state);
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &ksad_genl_family, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u32(skb, KSAD_SA_SPI, sa->key.spi) ||
	    nla_put_u8(skb, KSAD_SA_PROTO, sa->key.proto) ||
	    ksad_put_addr(skb, KSAD_SA_DST_IPV4, KSAD_SA_DST_IPV6,
			  sa->key.family, &sa->key.daddr) ||
	    (!ksad_addr_any(&sa->saddr) &&
	     ksad_put_addr(skb, KSAD_SA_SRC_IPV4, KSAD_SA_SRC_IPV6,
			   sa->key.family, &sa->saddr)) ||
	    nla_put_u8(skb, KSAD_SA_DIR, sa->dir) ||
	    (state && nla_put_u8(skb, KSAD_SA_STATE, state)))
		goto cancel;
	if (cmd == KSAD_CMD_EXPIRE) {
		if (event == KSAD_LT_HARD && nla_put_flag(skb, KSAD_SA_EXPIRE_HARD))
			goto cancel;
	} else if (event && nla_put_u32(skb, KSAD_SA_EVENT, event)) {
		goto cancel;
	}
	if (state == KSAD_STATE_LARVAL)
		goto done;	/* nothing but the identity yet */
	if (nla_put_u8(skb, KSAD_SA_MODE, sa->mode) ||
	    nla_put_u32(skb, KSAD_SA_REQID, sa->reqid) ||
	    nla_put_u32(skb, KSAD_SA_REPLAY_WINDOW,
			READ_ONCE(sa->replay_window)) ||
	    (sa->esn && nla_put_flag(skb, KSAD_SA_ESN)) ||
	    ksad_put_algs(skb, sa) ||
	    ksad_put_sel(skb, KSAD_SA_SELECTOR, &sa->sel) ||
	    ksad_put_lifetime(skb, KSAD_SA_SOFT, &sa->soft) ||
	    ksad_put_lifetime(skb, KSAD_SA_HARD, &sa->hard) ||
	    ksad_put_encap(skb, sa, cmd))
		goto cancel;
done:
	if (ksad_put_stats(skb, sa))
		goto cancel;
	genlmsg_end(skb, hdr);
	return 0;
cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

/* Anyone listening?  Not before the family is registered (or after). */
bool ksad_listening(struct ksad_net *kn, enum ksad_mcgrp grp)
{
	return READ_ONCE(ksad_genl_family.id) &&
	       genl_has_listeners(&ksad_genl_family, kn->net, grp);
}

void ksad_multicast(struct ksad_net *kn, struct sk_buff *skb,
		    enum ksad_mcgrp grp, gfp_t gfp)
{
	/* No listener (-ESRCH) is the common case, not an error. */
	genlmsg_multicast_netns(&ksad_genl_family, kn->net, skb, 0, grp, gfp);
}

static void ksad_notify(struct ksad_sa *sa, u8 cmd, u32 event,
			enum ksad_mcgrp grp)
{
	struct sk_buff *skb;

	if (!ksad_listening(sa->kn, grp))
		return;
	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!skb)
		return;
	if (ksad_nl_fill_sa(skb, sa, 0, 0, 0, cmd, event)) {
		kfree_skb(skb);
		return;
	}
	ksad_multicast(sa->kn, skb, grp, GFP_KERNEL);
}

void ksad_notify_sa(struct ksad_sa *sa, u32 event)
{
	ksad_notify(sa, KSAD_CMD_SA_NTF, event, KSAD_GRP_SA);
}

void ksad_notify_expire(struct ksad_sa *sa, bool hard)
{
	ksad_notify(sa, KSAD_CMD_EXPIRE, hard ? KSAD_LT_HARD : KSAD_LT_SOFT,
		    KSAD_GRP_EXPIRE);
}

void ksad_notify_flush(struct ksad_net *kn, u8 proto)
{
	struct sk_buff *skb;
	void *hdr;

	if (!ksad_listening(kn, KSAD_GRP_SA))
		return;
	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!skb)
		return;
	hdr = genlmsg_put(skb, 0, 0, &ksad_genl_family, 0, KSAD_CMD_SA_NTF);
	if (!hdr || nla_put_u32(skb, KSAD_SA_EVENT, KSAD_EVENT_FLUSHED) ||
	    (proto && nla_put_u8(skb, KSAD_SA_PROTO, proto))) {
		kfree_skb(skb);
		return;
	}
	genlmsg_end(skb, hdr);
	ksad_multicast(kn, skb, KSAD_GRP_SA, GFP_KERNEL);
}
