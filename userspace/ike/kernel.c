// SPDX-License-Identifier: GPL-2.0
/*
 * CHILD SAs into ksad: GETSPI reserves the inbound SPI, UPDATE completes
 * it with keys, selector and its inbound (and, in tunnel mode, forward)
 * policy; ADD installs the outbound SA and its outbound policy.  The
 * trace prints each operation as it happens, the way the seed's diagram
 * shows them.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/genetlink.h>
#include "../../uapi/linux/ksad.h"

#include "../lib/alg.h"
#include "../lib/sa_msg.h"
#include "kernel.h"

static void put_ike_addr(struct nlmsghdr *nlh, uint16_t a4, uint16_t a6,
			 const struct ike_addr *a)
{
	knl_put_addr(nlh, a4, a6, a->family, a->a);
}

/* A range that is one prefix: its length; -1 otherwise. */
static int range_prefix(const struct ike_ts *ts)
{
	size_t alen = ts->type == 7 ? 4 : 16, bit;
	int plen = (int)alen * 8;

	for (bit = 0; bit < alen * 8; bit++) {
		size_t byte = alen - 1 - bit / 8;
		uint8_t m = (uint8_t)(1u << (bit % 8));

		if ((ts->start[byte] & m) == 0 && (ts->end[byte] & m))
			plen--;
		else
			break;
	}
	/* the bits above must agree */
	for (bit = 0; bit < (size_t)plen; bit++) {
		size_t byte = bit / 8;
		uint8_t m = (uint8_t)(0x80 >> (bit % 8));

		if ((ts->start[byte] & m) != (ts->end[byte] & m))
			return -1;
	}
	return plen;
}

static int ts_port(uint16_t start, uint16_t end, uint16_t *port)
{
	if (start == 0 && end == 65535)
		*port = 0;
	else if (start == end)
		*port = start;
	else
		return -1;
	return 0;
}

/* sel src=@from dst=@to; -EINVAL for ranges a prefix cannot say. */
static int put_sel(struct nlmsghdr *nlh, uint16_t type, const struct ike_ts *from,
		   const struct ike_ts *to)
{
	int sp = range_prefix(from), dp = range_prefix(to);
	uint16_t sport, dport;
	struct nlattr *nest;
	bool v4 = from->type == 7;

	if (sp < 0 || dp < 0 || from->type != to->type ||
	    ts_port(from->start_port, from->end_port, &sport) ||
	    ts_port(to->start_port, to->end_port, &dport))
		return -EINVAL;
	nest = mnl_attr_nest_start(nlh, type);
	mnl_attr_put(nlh, v4 ? KSAD_SEL_SRC_IPV4 : KSAD_SEL_SRC_IPV6, v4 ? 4 : 16, from->start);
	mnl_attr_put(nlh, v4 ? KSAD_SEL_DST_IPV4 : KSAD_SEL_DST_IPV6, v4 ? 4 : 16, to->start);
	mnl_attr_put_u8(nlh, KSAD_SEL_SRC_PREFIXLEN, (uint8_t)sp);
	mnl_attr_put_u8(nlh, KSAD_SEL_DST_PREFIXLEN, (uint8_t)dp);
	mnl_attr_put_u8(nlh, KSAD_SEL_PROTO, from->proto ? from->proto : to->proto);
	mnl_attr_put_u16(nlh, KSAD_SEL_SRC_PORT, htons(sport));
	mnl_attr_put_u16(nlh, KSAD_SEL_DST_PORT, htons(dport));
	mnl_attr_nest_end(nlh, nest);
	return 0;
}

static void put_keys(struct nlmsghdr *nlh, const struct ike_child *c,
		     const uint8_t *key)
{
	/* what was negotiated, as it was: ksad speaks IKEv2's transform IDs */
	mnl_attr_put_u16(nlh, KSAD_SA_ENC_ALG, c->suite.encr);
	if (alg_encr_keylen_choice(c->suite.encr))
		mnl_attr_put_u16(nlh, KSAD_SA_ENC_KEY_BITS, c->suite.bits);
	if (c->enc_len)
		mnl_attr_put(nlh, KSAD_SA_ENC_KEY, c->enc_len, key);
	if (c->suite.integ) {
		mnl_attr_put_u16(nlh, KSAD_SA_AUTH_ALG, c->suite.integ);
		mnl_attr_put(nlh, KSAD_SA_AUTH_KEY, c->integ_len, key + c->enc_len);
	}
}

/* ESP in UDP, ports as in the SA's packets (@out: ours first). */
static void put_encap(struct nlmsghdr *nlh, const struct ike_child *c, bool out)
{
	struct nlattr *nest;

	if (!c->encap)
		return;
	nest = mnl_attr_nest_start(nlh, KSAD_SA_ENCAP);
	mnl_attr_put_u8(nlh, KSAD_ENCAP_TYPE, KSAD_ENCAP_ESPINUDP);
	mnl_attr_put_u16(nlh, KSAD_ENCAP_SPORT, htons(out ? c->encap_sport : c->encap_dport));
	mnl_attr_put_u16(nlh, KSAD_ENCAP_DPORT, htons(out ? c->encap_dport : c->encap_sport));
	mnl_attr_nest_end(nlh, nest);
}

/*
 * Lifetimes: the hard one as configured; the soft one, which makes ksad
 * send EXPIRE so that we rekey, at 80 to 90 % of it, a different point for
 * every SA, so that the two peers seldom start the same rekey at once.
 */
static void put_lifetimes(struct nlmsghdr *nlh, const struct ike_child *c)
{
	uint64_t soft;
	struct nlattr *nest;

	if (!c->lifetime)
		return;
	soft = (uint64_t)c->lifetime * (80 + (uint64_t)random() % 11) / 100;
	nest = mnl_attr_nest_start(nlh, KSAD_SA_SOFT);
	mnl_attr_put_u64(nlh, KSAD_LIFETIME_ADD_SECONDS, soft ? soft : 1);
	mnl_attr_nest_end(nlh, nest);
	nest = mnl_attr_nest_start(nlh, KSAD_SA_HARD);
	mnl_attr_put_u64(nlh, KSAD_LIFETIME_ADD_SECONDS, c->lifetime);
	mnl_attr_nest_end(nlh, nest);
}

/* GETSPI's reply, read by ksadctl's parser (sa_msg.c) */
static int spi_cb(const struct nlmsghdr *nlh, void *data)
{
	struct sa_view v;

	if (!sa_view_parse(nlh, &v) && v.has[KSAD_SA_SPI])
		*(uint32_t *)data = v.spi;
	return MNL_CB_OK;
}

static void trace(struct ike_ksad *ks, const char *op, const char *dir,
		  uint32_t spi, const struct ike_addr *dst, bool encap)
{
	char a[INET6_ADDRSTRLEN];

	if (!ks->trace)
		return;
	inet_ntop(dst->family, dst->a, a, sizeof(a));
	fprintf(ks->trace, "[%s] %-7s %-8s spi 0x%08x dst %s%s\n",
		ks->role == 'I' ? "initiator" : "responder", op, dir, spi, a,
		encap ? " (ESP in UDP)" : "");
	fflush(ks->trace);
}

/* A line of the trace that is not a SAD operation: SEND, NOTE. */
void ike_ksad_note(struct ike_ksad *ks, const char *what, const char *fmt, ...)
{
	va_list ap;

	if (!ks->trace)
		return;
	fprintf(ks->trace, "[%s] %-7s ", ks->role == 'I' ? "initiator" : "responder", what);
	va_start(ap, fmt);
	vfprintf(ks->trace, fmt, ap);
	va_end(ap);
	fputc('\n', ks->trace);
	fflush(ks->trace);
}

/* A request to ksad; @ok_err (e.g. -ESRCH for DELETE) counts as done. */
static int talk_ok(struct ike_ksad *ks, struct nlmsghdr *nlh, mnl_cb_t cb, void *data,
		   const char *what, int ok_err)
{
	int err;

	nlh->nlmsg_type = ks->nl.family;
	nlh->nlmsg_seq = ++ks->nl.seq;
	err = knl_talk(&ks->nl, nlh, cb, data);
	if (ok_err && err == ok_err)
		return 0;
	if (err && ks->trace)
		knl_perror(ks->trace, "ksad-ike", what, &ks->nl, err);
	return err;
}

static int talk(struct ike_ksad *ks, struct nlmsghdr *nlh, mnl_cb_t cb, void *data,
		const char *what)
{
	return talk_ok(ks, nlh, cb, data, what, 0);
}

static int k_getspi(void *ctx, const struct ike_child *c, uint32_t *spi)
{
	struct ike_ksad *ks = ctx;
	uint32_t got = 0;
	char buf[512];
	struct nlmsghdr *nlh;
	int err;

	if (ks->dry) {
		static uint32_t next;

		/* a made-up SPI; not the same in two runs, the peer may remember */
		if (!next)
			next = 0xc0000000 | ((uint32_t)random() & 0x3fffff00);
		*spi = next++;
		trace(ks, "GETSPI", "inbound", *spi, &c->local, false);
		return 0;
	}
	nlh = knl_request(&ks->nl, buf, 0, KSAD_CMD_GETSPI, NLM_F_ACK);
	mnl_attr_put_u8(nlh, KSAD_SA_PROTO, KSAD_PROTO_ESP);
	put_ike_addr(nlh, KSAD_SA_DST_IPV4, KSAD_SA_DST_IPV6, &c->local);
	put_ike_addr(nlh, KSAD_SA_SRC_IPV4, KSAD_SA_SRC_IPV6, &c->remote);
	err = talk(ks, nlh, spi_cb, &got, "GETSPI");
	if (err || !got)
		return err ? err : -EIO;
	*spi = got;
	trace(ks, "GETSPI", "inbound", *spi, &c->local, false);
	return 0;
}

/* POLICY_ADD's reply: the new policy's ID */
static int policy_id_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr))
		if (mnl_attr_get_type(a) == KSAD_POLICY_ID &&
		    mnl_attr_validate(a, MNL_TYPE_U32) >= 0)
			*(uint32_t *)data = mnl_attr_get_u32(a);
	return MNL_CB_OK;
}

/* policy add DIR protect SEL [tunnel]: for the CHILD SA @c; its ID in @id */
static int add_policy(struct ike_ksad *ks, const struct ike_child *c, uint8_t dir,
		      uint32_t *id)
{
	const struct ike_ts *from = dir == KSAD_DIR_OUT ? &c->ts_local : &c->ts_remote;
	const struct ike_ts *to = dir == KSAD_DIR_OUT ? &c->ts_remote : &c->ts_local;
	char buf[512];
	struct nlmsghdr *nlh;

	nlh = knl_request(&ks->nl, buf, 0, KSAD_CMD_POLICY_ADD, NLM_F_ACK);
	mnl_attr_put_u8(nlh, KSAD_POLICY_DIR, dir);
	mnl_attr_put_u8(nlh, KSAD_POLICY_ACTION, KSAD_ACTION_PROTECT);
	mnl_attr_put_u8(nlh, KSAD_POLICY_PROTO, KSAD_PROTO_ESP);
	mnl_attr_put_u8(nlh, KSAD_POLICY_MODE, c->mode);
	mnl_attr_put_u32(nlh, KSAD_POLICY_REQID, c->reqid);
	if (put_sel(nlh, KSAD_POLICY_SELECTOR, from, to))
		return -EINVAL;
	if (dir == KSAD_DIR_OUT && c->mode == KSAD_MODE_TUNNEL) {
		put_ike_addr(nlh, KSAD_POLICY_TUN_SRC_IPV4, KSAD_POLICY_TUN_SRC_IPV6, &c->local);
		put_ike_addr(nlh, KSAD_POLICY_TUN_DST_IPV4, KSAD_POLICY_TUN_DST_IPV6, &c->remote);
	}
	return talk(ks, nlh, policy_id_cb, id, "POLICY_ADD");
}

/*
 * UPDATE (inbound) or ADD (outbound) of @c's SA in one direction: SPI,
 * addresses, mode, keys, encapsulation and selector; then its policies.
 */
static int install(struct ike_ksad *ks, struct ike_child *c, bool out)
{
	const struct ike_addr *dst = out ? &c->remote : &c->local;
	const struct ike_addr *src = out ? &c->local : &c->remote;
	char buf[1024];
	struct nlmsghdr *nlh;
	int err;

	trace(ks, out ? "ADD" : "UPDATE", out ? "outbound" : "inbound",
	      out ? c->spi_out : c->spi_in, dst, c->encap);
	if (ks->dry)
		return 0;
	nlh = knl_request(&ks->nl, buf, 0, out ? KSAD_CMD_ADD : KSAD_CMD_UPDATE,
			  NLM_F_ACK);
	mnl_attr_put_u32(nlh, KSAD_SA_SPI, out ? c->spi_out : c->spi_in);
	mnl_attr_put_u8(nlh, KSAD_SA_PROTO, KSAD_PROTO_ESP);
	put_ike_addr(nlh, KSAD_SA_DST_IPV4, KSAD_SA_DST_IPV6, dst);
	put_ike_addr(nlh, KSAD_SA_SRC_IPV4, KSAD_SA_SRC_IPV6, src);
	if (out)
		mnl_attr_put_u8(nlh, KSAD_SA_DIR, KSAD_DIR_OUT);
	else
		mnl_attr_put_u32(nlh, KSAD_SA_REPLAY_WINDOW, 64);
	mnl_attr_put_u8(nlh, KSAD_SA_MODE, c->mode);
	mnl_attr_put_u32(nlh, KSAD_SA_REQID, c->reqid);
	put_keys(nlh, c, out ? c->key_out : c->key_in);
	put_encap(nlh, c, out);
	put_lifetimes(nlh, c);
	err = out ? put_sel(nlh, KSAD_SA_SELECTOR, &c->ts_local, &c->ts_remote) :
		    put_sel(nlh, KSAD_SA_SELECTOR, &c->ts_remote, &c->ts_local);
	if (!err)
		err = talk(ks, nlh, NULL, NULL, out ? "ADD" : "UPDATE");
	explicit_bzero(buf, sizeof(buf));	/* it held the keys */
	if (err || c->rekey)	/* a rekey: the old SA's policies stay */
		return err;
	if (out)	/* on demand, the trap is the outbound policy */
		return c->trap ? 0 : add_policy(ks, c, KSAD_DIR_OUT, &c->pol_id[0]);
	err = add_policy(ks, c, KSAD_DIR_IN, &c->pol_id[1]);
	if (!err && c->mode == KSAD_MODE_TUNNEL)
		err = add_policy(ks, c, KSAD_DIR_FWD, &c->pol_id[2]);
	return err;
}

static int k_update_in(void *ctx, struct ike_child *c)
{
	return install(ctx, c, false);
}

static int k_add_out(void *ctx, struct ike_child *c)
{
	return install(ctx, c, true);
}

/* DELETE of one SA; an outbound one in UDP is named with its ports. */
static int delete_sa(struct ike_ksad *ks, const struct ike_child *c, bool out)
{
	char buf[256];
	struct nlmsghdr *nlh;

	trace(ks, "DELETE", out ? "outbound" : "inbound", out ? c->spi_out : c->spi_in,
	      out ? &c->remote : &c->local, c->encap);
	if (ks->dry)
		return 0;
	nlh = knl_request(&ks->nl, buf, 0, KSAD_CMD_DELETE, NLM_F_ACK);
	mnl_attr_put_u32(nlh, KSAD_SA_SPI, out ? c->spi_out : c->spi_in);
	mnl_attr_put_u8(nlh, KSAD_SA_PROTO, KSAD_PROTO_ESP);
	put_ike_addr(nlh, KSAD_SA_DST_IPV4, KSAD_SA_DST_IPV6, out ? &c->remote : &c->local);
	if (out)
		put_encap(nlh, c, true);
	/* gone already (a hard EXPIRE removed it): what we wanted */
	return talk_ok(ks, nlh, NULL, NULL, "DELETE", -ESRCH);
}

/* The CHILD SA's pair leaves ksad (only the inbound SA if it is larval). */
static int k_del(void *ctx, const struct ike_child *c, bool policies)
{
	struct ike_ksad *ks = ctx;
	int err = 0, e;
	size_t i;

	if (c->spi_in)
		err = delete_sa(ks, c, false);
	if (c->spi_out) {
		e = delete_sa(ks, c, true);
		err = err ? err : e;
	}
	for (i = 0; policies && !ks->dry && i < 3; i++) {
		char buf[128];
		struct nlmsghdr *nlh;

		if (!c->pol_id[i])
			continue;
		nlh = knl_request(&ks->nl, buf, 0, KSAD_CMD_POLICY_DELETE, NLM_F_ACK);
		mnl_attr_put_u32(nlh, KSAD_POLICY_ID, c->pol_id[i]);
		e = talk(ks, nlh, NULL, NULL, "POLICY_DELETE");
		err = err ? err : e;
	}
	return err;
}

/* IKE itself stays in the clear: bypass UDP 500 and 4500 both ways. */
int ike_ksad_bypass_ike(struct ike_ksad *ks, const struct ike_cfg *cfg)
{
	static const uint16_t ports[] = { 500, 4500 };
	size_t i;
	int dir, err;

	if (ks->dry)
		return 0;
	for (i = 0; i < 2; i++) {
		for (dir = KSAD_DIR_IN; dir <= KSAD_DIR_OUT; dir++) {
			struct ike_ts me = { .type = cfg->local.family == AF_INET ? 7 : 8,
					     .proto = 17 }, peer;
			const struct ike_ts *from, *to;
			char buf[512];
			struct nlmsghdr *nlh;

			memcpy(me.start, cfg->local.a, 16);
			memcpy(me.end, cfg->local.a, 16);
			peer = me;
			memcpy(peer.start, cfg->remote.a, 16);
			memcpy(peer.end, cfg->remote.a, 16);
			/* our port on our side: the peer may float to any */
			me.start_port = me.end_port = ports[i];
			peer.end_port = 65535;
			from = dir == KSAD_DIR_OUT ? &me : &peer;
			to = dir == KSAD_DIR_OUT ? &peer : &me;
			nlh = knl_request(&ks->nl, buf, 0, KSAD_CMD_POLICY_ADD, NLM_F_ACK);
			mnl_attr_put_u8(nlh, KSAD_POLICY_DIR, (uint8_t)dir);
			mnl_attr_put_u8(nlh, KSAD_POLICY_ACTION, KSAD_ACTION_BYPASS);
			mnl_attr_put_u32(nlh, KSAD_POLICY_PRIORITY, 1);
			if (put_sel(nlh, KSAD_POLICY_SELECTOR, from, to))
				return -EINVAL;
			err = talk(ks, nlh, policy_id_cb, &ks->own_pol[ks->n_own_pol],
				   "POLICY_ADD bypass");
			if (!err && ks->own_pol[ks->n_own_pol])
				ks->n_own_pol++;
			if (err)
				return err;
		}
	}
	return 0;
}

/*
 * On demand (strongSwan's "trap"): the outbound protect policy without an
 * SA, so that the first packet makes ksad send ACQUIRE.  It stays when
 * CHILD SAs come and go.
 */
int ike_ksad_trap(struct ike_ksad *ks, const struct ike_cfg *cfg)
{
	struct ike_child c = { .mode = cfg->mode, .reqid = cfg->reqid,
			       .ts_local = cfg->local_ts, .ts_remote = cfg->remote_ts,
			       .local = cfg->local, .remote = cfg->remote };
	uint32_t id = 0;
	int err;

	if (ks->dry)
		return 0;
	err = add_policy(ks, &c, KSAD_DIR_OUT, &id);
	if (!err && id)
		ks->own_pol[ks->n_own_pol++] = id;
	return err;
}

/* On the way out: the bypass and trap policies this daemon added go. */
void ike_ksad_cleanup(struct ike_ksad *ks)
{
	while (!ks->dry && ks->n_own_pol) {
		char buf[128];
		struct nlmsghdr *nlh;

		nlh = knl_request(&ks->nl, buf, 0, KSAD_CMD_POLICY_DELETE, NLM_F_ACK);
		mnl_attr_put_u32(nlh, KSAD_POLICY_ID, ks->own_pol[--ks->n_own_pol]);
		talk(ks, nlh, NULL, NULL, "POLICY_DELETE");
	}
}

/* Join ksad's "acquire" and "expire" groups on a socket of their own. */
int ike_ksad_listen(struct ike_ksad *ks)
{
	static const char *const groups[] = { KSAD_MCGRP_ACQUIRE, KSAD_MCGRP_EXPIRE };
	size_t i;
	int err;

	if (ks->dry)
		return -1;
	err = knl_open(&ks->ev);
	if (err)
		return err;
	for (i = 0; i < 2; i++) {
		unsigned int id = knl_group_id(&ks->ev, groups[i]);

		if (!id || mnl_socket_setsockopt(ks->ev.sock, NETLINK_ADD_MEMBERSHIP,
						 &id, sizeof(id)))
			return -EINVAL;
	}
	return mnl_socket_get_fd(ks->ev.sock);
}

/*
 * One side of an ACQUIRE's selector as a traffic selector (a range).  ICMP's
 * type and code (in the selector's ports, as XFRM has them) are left out:
 * the TS then covers all of the packet's protocol.
 */
static void sel_to_ts(const struct ksad_addr *a, uint8_t plen, uint8_t proto,
		      uint16_t port, struct ike_ts *ts)
{
	const uint8_t *b = a->family == AF_INET ? (const uint8_t *)&a->v4 :
						    (const uint8_t *)&a->v6;

	ike_ts_prefix(ts, a->family, b, plen);
	ts->proto = proto;
	if (port && proto != IPPROTO_ICMP && proto != IPPROTO_ICMPV6)
		ts->start_port = ts->end_port = port;
}

static int event_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
	struct ike_kevent *ev = data;

	if (g->cmd == KSAD_CMD_ACQUIRE) {
		struct policy_view pv;

		if (!policy_view_parse(nlh, &pv)) {
			ev->type = IKE_KEV_ACQUIRE;
			ev->reqid = pv.reqid;
			ev->has_sel = pv.sel.set && pv.sel.src.family &&
				      pv.sel.src.family == pv.sel.dst.family;
			if (ev->has_sel) {
				sel_to_ts(&pv.sel.src, pv.sel.sprefix, pv.sel.proto,
					  pv.sel.sport, &ev->pkt_local);
				sel_to_ts(&pv.sel.dst, pv.sel.dprefix, pv.sel.proto,
					  pv.sel.dport, &ev->pkt_remote);
			}
		}
	} else if (g->cmd == KSAD_CMD_EXPIRE) {
		struct sa_view v;

		if (!sa_view_parse(nlh, &v) && v.has[KSAD_SA_SPI]) {
			ev->type = IKE_KEV_EXPIRE;
			ev->spi = v.spi;
			ev->dir = v.dir;
			ev->hard = v.expire_hard;
		}
	}
	return MNL_CB_OK;
}

/* Read one notification (the socket is readable). */
int ike_ksad_event(struct ike_ksad *ks, struct ike_kevent *ev)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	ssize_t n = mnl_socket_recvfrom(ks->ev.sock, buf, sizeof(buf));

	memset(ev, 0, sizeof(*ev));
	if (n <= 0)
		return -1;
	return mnl_cb_run(buf, (size_t)n, 0, 0, event_cb, ev) < 0 ? -1 : 0;
}

int ike_ksad_open(struct ike_ksad *ks)
{
	return ks->dry ? 0 : knl_open(&ks->nl);
}

void ike_ksad_close(struct ike_ksad *ks)
{
	if (!ks->dry)
		knl_close(&ks->nl);
}

const struct ike_kernel ike_ksad_ops = {
	.getspi = k_getspi,
	.update_in = k_update_in,
	.add_out = k_add_out,
	.del = k_del,
};
