// SPDX-License-Identifier: GPL-2.0
/*
 * The "ksad" generic-netlink family: policies, request parsing, handlers.
 *
 * Validation happens in two steps.  The policies below check every attribute
 * strictly (type, exact length, range; unknown attributes are refused by the
 * core), then each operation accepts only the attributes it lists (its
 * "request attributes" in Documentation/netlink/specs/ksad.yaml; a test keeps
 * the two in agreement).  Every refusal carries an extended-ACK message.
 */
#include <linux/socket.h>
#include <net/genetlink.h>
#include <net/sock.h>
#include <uapi/linux/ksad.h>

#include "datapath.h"

static const struct nla_policy ksad_lifetime_policy[KSAD_LIFETIME_MAX + 1] = {
	[KSAD_LIFETIME_BYTES] = { .type = NLA_U64 },
	[KSAD_LIFETIME_PACKETS] = { .type = NLA_U64 },
	[KSAD_LIFETIME_ADD_SECONDS] = { .type = NLA_U64 },
	[KSAD_LIFETIME_USE_SECONDS] = { .type = NLA_U64 },
};

const struct nla_policy ksad_sel_policy[KSAD_SEL_MAX + 1] = {
	[KSAD_SEL_SRC_IPV4] = { .type = NLA_BE32 },
	[KSAD_SEL_SRC_IPV6] = NLA_POLICY_EXACT_LEN(16),
	[KSAD_SEL_DST_IPV4] = { .type = NLA_BE32 },
	[KSAD_SEL_DST_IPV6] = NLA_POLICY_EXACT_LEN(16),
	[KSAD_SEL_SRC_PREFIXLEN] = NLA_POLICY_MAX(NLA_U8, 128),
	[KSAD_SEL_DST_PREFIXLEN] = NLA_POLICY_MAX(NLA_U8, 128),
	[KSAD_SEL_PROTO] = { .type = NLA_U8 },
	[KSAD_SEL_SRC_PORT] = { .type = NLA_BE16 },
	[KSAD_SEL_DST_PORT] = { .type = NLA_BE16 },
};

static const struct nla_policy ksad_encap_policy[KSAD_ENCAP_MAX + 1] = {
	[KSAD_ENCAP_TYPE] = NLA_POLICY_RANGE(NLA_U8, KSAD_ENCAP_ESPINUDP,
					     KSAD_ENCAP_ESPINUDP),
	[KSAD_ENCAP_SPORT] = { .type = NLA_BE16 },
	[KSAD_ENCAP_DPORT] = { .type = NLA_BE16 },
};

static const struct nla_policy ksad_sa_policy[KSAD_SA_MAX + 1] = {
	[KSAD_SA_SPI] = NLA_POLICY_MIN(NLA_U32, KSAD_SPI_MIN),
	[KSAD_SA_PROTO] = NLA_POLICY_RANGE(NLA_U8, KSAD_PROTO_ESP, KSAD_PROTO_AH),
	[KSAD_SA_DST_IPV4] = { .type = NLA_BE32 },
	[KSAD_SA_DST_IPV6] = NLA_POLICY_EXACT_LEN(16),
	[KSAD_SA_SRC_IPV4] = { .type = NLA_BE32 },
	[KSAD_SA_SRC_IPV6] = NLA_POLICY_EXACT_LEN(16),
	[KSAD_SA_DIR] = NLA_POLICY_RANGE(NLA_U8, KSAD_DIR_IN, KSAD_DIR_OUT),
	[KSAD_SA_MODE] = NLA_POLICY_RANGE(NLA_U8, KSAD_MODE_TRANSPORT,
					  KSAD_MODE_TUNNEL),
	[KSAD_SA_STATE] = NLA_POLICY_RANGE(NLA_U8, KSAD_STATE_LARVAL,
					   KSAD_STATE_DYING),
	[KSAD_SA_REQID] = { .type = NLA_U32 },
	[KSAD_SA_REPLAY_WINDOW] = NLA_POLICY_MAX(NLA_U32, KSAD_REPLAY_WINDOW_MAX),
	[KSAD_SA_ESN] = { .type = NLA_FLAG },
	/* transform IDs: crypto.c says which it has, and why not the others */
	[KSAD_SA_ENC_ALG] = NLA_POLICY_RANGE(NLA_U16, 1, KSAD_TRANSFORM_ID_MAX),
	[KSAD_SA_ENC_KEY] = { .type = NLA_BINARY, .len = KSAD_KEY_MAX },
	[KSAD_SA_AUTH_ALG] = NLA_POLICY_MAX(NLA_U16, KSAD_TRANSFORM_ID_MAX),
	[KSAD_SA_AUTH_KEY] = { .type = NLA_BINARY, .len = KSAD_KEY_MAX },
	[KSAD_SA_SELECTOR] = NLA_POLICY_NESTED(ksad_sel_policy),
	[KSAD_SA_SOFT] = NLA_POLICY_NESTED(ksad_lifetime_policy),
	[KSAD_SA_HARD] = NLA_POLICY_NESTED(ksad_lifetime_policy),
	[KSAD_SA_STATS] = { .type = NLA_NESTED },
	[KSAD_SA_SPI_MIN] = { .type = NLA_U32 },
	[KSAD_SA_SPI_MAX] = { .type = NLA_U32 },
	[KSAD_SA_EVENT] = NLA_POLICY_RANGE(NLA_U32, KSAD_EVENT_LARVAL,
					   KSAD_EVENT_MIGRATED),
	[KSAD_SA_EXPIRE_HARD] = { .type = NLA_FLAG },
	[KSAD_SA_ENCAP] = NLA_POLICY_NESTED(ksad_encap_policy),
	[KSAD_SA_NEW_ENCAP] = NLA_POLICY_NESTED(ksad_encap_policy),
	[KSAD_SA_MAPPING_SRC_IPV4] = { .type = NLA_BE32 },
	[KSAD_SA_MAPPING_SRC_IPV6] = NLA_POLICY_EXACT_LEN(16),
	[KSAD_SA_MAPPING_SPORT] = { .type = NLA_BE16 },
	[KSAD_SA_ENC_KEY_BITS] = NLA_POLICY_MAX(NLA_U16, 256),
	[KSAD_SA_NEW_DST_IPV4] = { .type = NLA_BE32 },
	[KSAD_SA_NEW_DST_IPV6] = NLA_POLICY_EXACT_LEN(16),
	[KSAD_SA_NEW_SRC_IPV4] = { .type = NLA_BE32 },
	[KSAD_SA_NEW_SRC_IPV6] = NLA_POLICY_EXACT_LEN(16),
	[KSAD_SA_NEW_ENCAP_NONE] = { .type = NLA_FLAG },
	[KSAD_SA_MIGRATE_POLICIES] = { .type = NLA_FLAG },
};

static const struct nla_policy ksad_config_policy[KSAD_CONFIG_MAX + 1] = {
	[KSAD_CONFIG_LARVAL_TIMEOUT] = NLA_POLICY_RANGE(NLA_U32, 1, 3600),
	[KSAD_CONFIG_SA_COUNT] = { .type = NLA_U32 },
	[KSAD_CONFIG_MAX_SAS] = { .type = NLA_U32 },
	[KSAD_CONFIG_MAX_LARVAL] = { .type = NLA_U32 },
	[KSAD_CONFIG_MAX_POLICIES] = { .type = NLA_U32 },
	[KSAD_CONFIG_LARVAL_COUNT] = { .type = NLA_U32 },
	[KSAD_CONFIG_POLICY_COUNT] = { .type = NLA_U32 },
};

/* GET_STATS takes no attribute; its reply carries them all. */
static const struct nla_policy ksad_stat_policy[KSAD_STAT_MAX + 1] = {
	[1 ... KSAD_STAT_MAX] = { .type = NLA_REJECT },
};

/*
 * The attributes each operation accepts: its "request" in ksad.yaml, which
 * tests/spec_check.py compares with this table.
 */
#define A(x) BIT_ULL(KSAD_SA_##x)
static const u64 ksad_req_attrs[KSAD_CMD_MAX + 1] = {
	[KSAD_CMD_GETSPI] = A(PROTO) | A(DST_IPV4) | A(DST_IPV6) | A(SRC_IPV4) |
			    A(SRC_IPV6) | A(SPI_MIN) | A(SPI_MAX),
	[KSAD_CMD_ADD] = A(SPI) | A(PROTO) | A(DST_IPV4) | A(DST_IPV6) |
			 A(SRC_IPV4) | A(SRC_IPV6) | A(DIR) | A(MODE) | A(REQID) |
			 A(REPLAY_WINDOW) | A(ESN) | A(ENC_ALG) | A(ENC_KEY) |
			 A(ENC_KEY_BITS) | A(AUTH_ALG) | A(AUTH_KEY) |
			 A(SELECTOR) | A(SOFT) | A(HARD) | A(ENCAP),
	[KSAD_CMD_UPDATE] = A(SPI) | A(PROTO) | A(DST_IPV4) | A(DST_IPV6) |
			    A(SRC_IPV4) | A(SRC_IPV6) | A(DIR) | A(MODE) |
			    A(REQID) | A(REPLAY_WINDOW) | A(ESN) | A(ENC_ALG) |
			    A(ENC_KEY) | A(ENC_KEY_BITS) | A(AUTH_ALG) |
			    A(AUTH_KEY) | A(SELECTOR) | A(SOFT) | A(HARD) |
			    A(ENCAP) | A(NEW_ENCAP),
	[KSAD_CMD_DELETE] = A(SPI) | A(PROTO) | A(DST_IPV4) | A(DST_IPV6) |
			    A(ENCAP),
	[KSAD_CMD_GET] = A(SPI) | A(PROTO) | A(DST_IPV4) | A(DST_IPV6) |
			 A(ENCAP),
	[KSAD_CMD_FLUSH] = A(PROTO),
	[KSAD_CMD_SA_MIGRATE] = A(SPI) | A(PROTO) | A(DST_IPV4) | A(DST_IPV6) |
				A(ENCAP) | A(NEW_DST_IPV4) | A(NEW_DST_IPV6) |
				A(NEW_SRC_IPV4) | A(NEW_SRC_IPV6) |
				A(NEW_ENCAP) | A(NEW_ENCAP_NONE) |
				A(MIGRATE_POLICIES),
};

static const u64 ksad_dump_attrs = A(PROTO) | A(DIR) | A(DST_IPV4) |
				   A(DST_IPV6);

int ksad_nl_addr(struct nlattr **tb, int a4, int a6, u8 *family,
		 union ksad_addr *addr, struct netlink_ext_ack *extack)
{
	if (tb[a4] && tb[a6]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[a6], "give an IPv4 or an IPv6 address, not both");
		return -EINVAL;
	}
	if (tb[a4]) {
		addr->a4 = nla_get_in_addr(tb[a4]);
		*family = AF_INET;
	} else if (tb[a6]) {
		addr->a6 = nla_get_in6_addr(tb[a6]);
		*family = AF_INET6;
	}
	return 0;
}

static int ksad_nl_lifetime(struct nlattr *nest, struct ksad_lifetime *lt,
			    struct netlink_ext_ack *extack)
{
	struct nlattr *tb[KSAD_LIFETIME_MAX + 1];
	int err;

	err = nla_parse_nested(tb, KSAD_LIFETIME_MAX, nest,
			       ksad_lifetime_policy, extack);
	if (err)
		return err;
	lt->bytes = tb[KSAD_LIFETIME_BYTES] ?
		    nla_get_u64(tb[KSAD_LIFETIME_BYTES]) : 0;
	lt->packets = tb[KSAD_LIFETIME_PACKETS] ?
		      nla_get_u64(tb[KSAD_LIFETIME_PACKETS]) : 0;
	lt->add_seconds = tb[KSAD_LIFETIME_ADD_SECONDS] ?
			  nla_get_u64(tb[KSAD_LIFETIME_ADD_SECONDS]) : 0;
	lt->use_seconds = tb[KSAD_LIFETIME_USE_SECONDS] ?
			  nla_get_u64(tb[KSAD_LIFETIME_USE_SECONDS]) : 0;
	return 0;
}

int ksad_nl_sel(struct nlattr *nest, struct ksad_sel *sel,
		struct netlink_ext_ack *extack)
{
	struct nlattr *tb[KSAD_SEL_MAX + 1];
	u8 sfam = 0, dfam = 0, maxlen;
	int err;

	err = nla_parse_nested(tb, KSAD_SEL_MAX, nest, ksad_sel_policy, extack);
	if (err)
		return err;
	err = ksad_nl_addr(tb, KSAD_SEL_SRC_IPV4, KSAD_SEL_SRC_IPV6, &sfam,
			   &sel->saddr, extack) ?:
	      ksad_nl_addr(tb, KSAD_SEL_DST_IPV4, KSAD_SEL_DST_IPV6, &dfam,
			   &sel->daddr, extack);
	if (err)
		return err;
	if (!sfam || !dfam || sfam != dfam) {
		NL_SET_ERR_MSG_ATTR(extack, nest,
				    "a selector needs a source and a destination of one family");
		return -EINVAL;
	}
	sel->family = sfam;
	maxlen = sfam == AF_INET ? 32 : 128;
	sel->sprefix = tb[KSAD_SEL_SRC_PREFIXLEN] ?
		       nla_get_u8(tb[KSAD_SEL_SRC_PREFIXLEN]) : maxlen;
	sel->dprefix = tb[KSAD_SEL_DST_PREFIXLEN] ?
		       nla_get_u8(tb[KSAD_SEL_DST_PREFIXLEN]) : maxlen;
	if (sel->sprefix > maxlen || sel->dprefix > maxlen) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "selector prefix length too long for the family");
		return -EINVAL;
	}
	if (tb[KSAD_SEL_PROTO])
		sel->proto = nla_get_u8(tb[KSAD_SEL_PROTO]);
	if (tb[KSAD_SEL_SRC_PORT])
		sel->sport = nla_get_be16(tb[KSAD_SEL_SRC_PORT]);
	if (tb[KSAD_SEL_DST_PORT])
		sel->dport = nla_get_be16(tb[KSAD_SEL_DST_PORT]);
	return 0;
}

/* UDP encapsulation: type and both ports, none of them zero. */
static int ksad_nl_encap(struct nlattr *nest, struct ksad_encap *e,
			 struct netlink_ext_ack *extack)
{
	struct nlattr *tb[KSAD_ENCAP_MAX + 1];
	int err;

	err = nla_parse_nested(tb, KSAD_ENCAP_MAX, nest, ksad_encap_policy,
			       extack);
	if (err)
		return err;
	if (!tb[KSAD_ENCAP_TYPE] || !tb[KSAD_ENCAP_SPORT] ||
	    !tb[KSAD_ENCAP_DPORT]) {
		NL_SET_ERR_MSG_ATTR(extack, nest,
				    "UDP encapsulation needs a type, a source and a destination port");
		return -EINVAL;
	}
	e->type = nla_get_u8(tb[KSAD_ENCAP_TYPE]);
	e->sport = nla_get_be16(tb[KSAD_ENCAP_SPORT]);
	e->dport = nla_get_be16(tb[KSAD_ENCAP_DPORT]);
	if (!e->sport || !e->dport) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "UDP port 0 cannot carry ESP");
		return -EINVAL;
	}
	return 0;
}

/**
 * ksad_nl_only() - refuse attributes an operation does not take
 * @tb: the parsed request, attributes 1..@max
 * @max: the highest attribute of the set
 * @allowed: a bit per attribute the operation takes
 * @extack: where to say which attribute is wrong
 *
 * Return: 0 or -EINVAL.
 */
int ksad_nl_only(struct nlattr **tb, int max, u64 allowed,
		 struct netlink_ext_ack *extack)
{
	int i;

	for (i = 1; i <= max; i++) {
		if (tb[i] && !(allowed & BIT_ULL(i))) {
			NL_SET_ERR_MSG_ATTR(extack, tb[i],
					    "attribute not valid for this operation");
			return -EINVAL;
		}
	}
	return 0;
}

/* Fill @cfg from a validated request that may use the @allowed attributes. */
static int ksad_nl_parse(struct nlattr **tb, u64 allowed,
			 struct ksad_sa_cfg *cfg, struct netlink_ext_ack *extack)
{
	u8 sfam = 0;
	int i, err;

	memset(cfg, 0, sizeof(*cfg));
	err = ksad_nl_only(tb, KSAD_SA_MAX, allowed, extack);
	if (err)
		return err;
	for (i = 1; i <= KSAD_SA_MAX; i++)
		if (tb[i])
			cfg->set |= BIT_ULL(i);
	err = ksad_nl_addr(tb, KSAD_SA_DST_IPV4, KSAD_SA_DST_IPV6,
			   &cfg->key.family, &cfg->key.daddr, extack) ?:
	      ksad_nl_addr(tb, KSAD_SA_SRC_IPV4, KSAD_SA_SRC_IPV6, &sfam,
			   &cfg->saddr, extack);
	if (err)
		return err;
	if (sfam && sfam != cfg->key.family) {
		NL_SET_ERR_MSG(extack, "source and destination addresses must be of one family");
		return -EINVAL;
	}
	err = ksad_nl_addr(tb, KSAD_SA_NEW_DST_IPV4, KSAD_SA_NEW_DST_IPV6,
			   &cfg->new_family, &cfg->new_daddr, extack) ?:
	      ksad_nl_addr(tb, KSAD_SA_NEW_SRC_IPV4, KSAD_SA_NEW_SRC_IPV6,
			   &cfg->new_sfamily, &cfg->new_saddr, extack);
	if (err)
		return err;
	if (tb[KSAD_SA_SPI])
		cfg->key.spi = nla_get_u32(tb[KSAD_SA_SPI]);
	if (tb[KSAD_SA_PROTO])
		cfg->key.proto = nla_get_u8(tb[KSAD_SA_PROTO]);
	if (tb[KSAD_SA_DIR])
		cfg->dir = nla_get_u8(tb[KSAD_SA_DIR]);
	if (tb[KSAD_SA_MODE])
		cfg->mode = nla_get_u8(tb[KSAD_SA_MODE]);
	if (tb[KSAD_SA_REQID])
		cfg->reqid = nla_get_u32(tb[KSAD_SA_REQID]);
	if (tb[KSAD_SA_REPLAY_WINDOW])
		cfg->replay_window = nla_get_u32(tb[KSAD_SA_REPLAY_WINDOW]);
	cfg->esn = nla_get_flag(tb[KSAD_SA_ESN]);
	if (tb[KSAD_SA_ENC_ALG])
		cfg->enc_alg = nla_get_u16(tb[KSAD_SA_ENC_ALG]);
	if (tb[KSAD_SA_ENC_KEY_BITS])
		cfg->enc_key_bits = nla_get_u16(tb[KSAD_SA_ENC_KEY_BITS]);
	if (tb[KSAD_SA_ENC_KEY]) {
		cfg->enc_key = nla_data(tb[KSAD_SA_ENC_KEY]);
		cfg->enc_key_len = nla_len(tb[KSAD_SA_ENC_KEY]);
	}
	if (tb[KSAD_SA_AUTH_ALG])
		cfg->auth_alg = nla_get_u16(tb[KSAD_SA_AUTH_ALG]);
	if (tb[KSAD_SA_AUTH_KEY]) {
		cfg->auth_key = nla_data(tb[KSAD_SA_AUTH_KEY]);
		cfg->auth_key_len = nla_len(tb[KSAD_SA_AUTH_KEY]);
	}
	if (tb[KSAD_SA_SPI_MIN])
		cfg->spi_min = nla_get_u32(tb[KSAD_SA_SPI_MIN]);
	if (tb[KSAD_SA_SPI_MAX])
		cfg->spi_max = nla_get_u32(tb[KSAD_SA_SPI_MAX]);
	if (tb[KSAD_SA_SELECTOR]) {
		err = ksad_nl_sel(tb[KSAD_SA_SELECTOR], &cfg->sel, extack);
		if (err)
			return err;
	}
	if (tb[KSAD_SA_SOFT]) {
		err = ksad_nl_lifetime(tb[KSAD_SA_SOFT], &cfg->soft, extack);
		if (err)
			return err;
	}
	if (tb[KSAD_SA_HARD]) {
		err = ksad_nl_lifetime(tb[KSAD_SA_HARD], &cfg->hard, extack);
		if (err)
			return err;
	}
	if (tb[KSAD_SA_NEW_ENCAP]) {
		err = ksad_nl_encap(tb[KSAD_SA_NEW_ENCAP], &cfg->new_encap,
				    extack);
		if (err)
			return err;
	}
	if (tb[KSAD_SA_ENCAP]) {
		err = ksad_nl_encap(tb[KSAD_SA_ENCAP], &cfg->encap, extack);
		if (err)
			return err;
		/* part of the name of an outbound SA (sad.c) */
		cfg->key.encap_sport = cfg->encap.sport;
		cfg->key.encap_dport = cfg->encap.dport;
	}
	return 0;
}

static struct ksad_net *ksad_nl_net(struct genl_info *info)
{
	return ksad_net(genl_info_net(info));
}

/* Answer a request with the SA it made or changed; drops @sa's reference. */
static int ksad_nl_reply_sa(struct genl_info *info, struct ksad_sa *sa)
{
	struct sk_buff *msg;
	int err;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg) {
		ksad_sa_put(sa);
		return -ENOMEM;
	}
	err = ksad_nl_fill_sa(msg, sa, info->snd_portid, info->snd_seq, 0,
			      info->genlhdr->cmd, 0);
	ksad_sa_put(sa);
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

typedef struct ksad_sa *(*ksad_sad_op)(struct ksad_net *kn,
				       const struct ksad_sa_cfg *cfg,
				       struct netlink_ext_ack *extack);

static int ksad_nl_sa_op(struct genl_info *info, ksad_sad_op op)
{
	struct ksad_sa_cfg cfg;
	struct ksad_sa *sa;
	int err;

	err = ksad_nl_parse(info->attrs, ksad_req_attrs[info->genlhdr->cmd],
			    &cfg, info->extack);
	if (err)
		return err;
	sa = op(ksad_nl_net(info), &cfg, info->extack);
	if (IS_ERR(sa))
		return PTR_ERR(sa);
	return ksad_nl_reply_sa(info, sa);
}

static int ksad_nl_getspi(struct sk_buff *skb, struct genl_info *info)
{
	return ksad_nl_sa_op(info, ksad_sad_getspi);
}

static int ksad_nl_add(struct sk_buff *skb, struct genl_info *info)
{
	return ksad_nl_sa_op(info, ksad_sad_add);
}

static int ksad_nl_update(struct sk_buff *skb, struct genl_info *info)
{
	return ksad_nl_sa_op(info, ksad_sad_update);
}

static int ksad_nl_migrate(struct sk_buff *skb, struct genl_info *info)
{
	return ksad_nl_sa_op(info, ksad_sad_migrate);
}

/* Parse a request naming one SA: SPI, destination and protocol. */
static int ksad_nl_identity(struct genl_info *info, struct ksad_sa_cfg *cfg)
{
	int err = ksad_nl_parse(info->attrs, ksad_req_attrs[info->genlhdr->cmd],
				cfg, info->extack);

	if (err)
		return err;
	if (!ksad_cfg_has(cfg, KSAD_SA_SPI) || !cfg->key.family ||
	    !ksad_cfg_has(cfg, KSAD_SA_PROTO)) {
		NL_SET_ERR_MSG(info->extack,
			       "an SA is named by its SPI, destination address and protocol");
		return -EINVAL;
	}
	return 0;
}

static int ksad_nl_delete(struct sk_buff *skb, struct genl_info *info)
{
	struct ksad_sa_cfg cfg;
	int err = ksad_nl_identity(info, &cfg);

	return err ?: ksad_sad_delete(ksad_nl_net(info), &cfg.key,
				      info->extack);
}

static int ksad_nl_get(struct sk_buff *skb, struct genl_info *info)
{
	struct ksad_sa_cfg cfg;
	struct ksad_sa *sa;
	int err = ksad_nl_identity(info, &cfg);

	if (err)
		return err;
	sa = ksad_sad_get(ksad_nl_net(info), &cfg.key);
	if (!sa) {
		NL_SET_ERR_MSG(info->extack,
			       "no SA with this SPI, destination and protocol (and UDP ports, if outbound with encapsulation)");
		return -ESRCH;
	}
	return ksad_nl_reply_sa(info, sa);
}

/* A dump of SAs: its filter, and where it resumes (in cb->ctx). */
struct ksad_dump_ctx {
	unsigned long next;		/* the id to resume from */
	union ksad_addr daddr;
	u8 family;			/* of daddr; 0: any destination */
	u8 proto, dir;			/* 0: any */
	bool parsed;			/* the filter is in */
};

static bool ksad_dump_match(const struct ksad_dump_ctx *f,
			    const struct ksad_sa *sa)
{
	if (f->proto && f->proto != sa->key.proto)
		return false;
	if (f->dir && f->dir != sa->dir)
		return false;
	if (f->family &&
	    (f->family != sa->key.family ||
	     memcmp(&f->daddr, &sa->key.daddr, sizeof(f->daddr))))
		return false;
	return true;
}

static int ksad_dump_filter(struct netlink_callback *cb)
{
	struct ksad_dump_ctx *ctx = (void *)cb->ctx;
	struct ksad_sa_cfg f;
	int err;

	err = ksad_nl_parse(ksad_genl_dump_attrs(cb), ksad_dump_attrs, &f,
			    cb->extack);
	if (err)
		return err;
	if (ksad_cfg_has(&f, KSAD_SA_PROTO))
		ctx->proto = f.key.proto;
	if (ksad_cfg_has(&f, KSAD_SA_DIR))
		ctx->dir = f.dir;
	ctx->family = f.key.family;
	ctx->daddr = f.key.daddr;
	ctx->parsed = true;
	return 0;
}

/*
 * The filter is checked when the dump starts, so that a bad one is refused
 * with an ordinary NLMSG_ERROR and its extack, as a doit's error is
 * (compat.h: where .start has no extack, by the first .dumpit).
 */
static int ksad_nl_dump_start(struct netlink_callback *cb)
{
	struct ksad_dump_ctx *ctx = (void *)cb->ctx;

	BUILD_BUG_ON(sizeof(*ctx) > sizeof(cb->ctx));
	memset(ctx, 0, sizeof(*ctx));
	return ksad_dump_start_has_extack() ? ksad_dump_filter(cb) : 0;
}

static int ksad_nl_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct ksad_net *kn = ksad_net(sock_net(skb->sk));
	struct ksad_dump_ctx *ctx = (void *)cb->ctx;
	unsigned long id;
	struct ksad_sa *sa;
	int err;

	if (!ctx->parsed) {
		err = ksad_dump_filter(cb);
		if (err)
			return err;
	}
	mutex_lock(&kn->lock);
	xa_for_each_start(&kn->sas, id, sa, ctx->next) {
		if (!ksad_dump_match(ctx, sa))
			continue;
		if (ksad_nl_fill_sa(skb, sa, NETLINK_CB(cb->skb).portid,
				    cb->nlh->nlmsg_seq, NLM_F_MULTI,
				    KSAD_CMD_GET, 0))
			break;
		ctx->next = id + 1;
	}
	mutex_unlock(&kn->lock);
	return skb->len;
}

static int ksad_nl_flush(struct sk_buff *skb, struct genl_info *info)
{
	struct ksad_sa_cfg cfg;
	int err;

	err = ksad_nl_parse(info->attrs, ksad_req_attrs[KSAD_CMD_FLUSH], &cfg,
			    info->extack);
	if (err)
		return err;
	ksad_sad_flush(ksad_nl_net(info), cfg.key.proto);
	return 0;
}

static int ksad_nl_get_config(struct sk_buff *skb, struct genl_info *info)
{
	struct ksad_net *kn = ksad_nl_net(info);
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &ksad_genl_family, 0,
				KSAD_CMD_GET_CONFIG);
	mutex_lock(&kn->lock);
	if (!hdr ||
	    nla_put_u32(msg, KSAD_CONFIG_LARVAL_TIMEOUT, kn->larval_timeout) ||
	    nla_put_u32(msg, KSAD_CONFIG_SA_COUNT, ksad_sad_count(kn)) ||
	    nla_put_u32(msg, KSAD_CONFIG_MAX_SAS, kn->max_sas) ||
	    nla_put_u32(msg, KSAD_CONFIG_MAX_LARVAL, kn->max_larval) ||
	    nla_put_u32(msg, KSAD_CONFIG_MAX_POLICIES, kn->max_policies) ||
	    nla_put_u32(msg, KSAD_CONFIG_LARVAL_COUNT, kn->larval_count) ||
	    nla_put_u32(msg, KSAD_CONFIG_POLICY_COUNT, kn->policy_count)) {
		mutex_unlock(&kn->lock);
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	mutex_unlock(&kn->lock);
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static int ksad_nl_set_config(struct sk_buff *skb, struct genl_info *info)
{
	static const int counts[] = { KSAD_CONFIG_SA_COUNT,
				      KSAD_CONFIG_LARVAL_COUNT,
				      KSAD_CONFIG_POLICY_COUNT };
	struct nlattr **tb = info->attrs;
	struct ksad_net *kn = ksad_nl_net(info);
	int i;

	for (i = 0; i < ARRAY_SIZE(counts); i++) {
		if (tb[counts[i]]) {
			NL_SET_ERR_MSG_ATTR(info->extack, tb[counts[i]],
					    "the counts are read-only");
			return -EINVAL;
		}
	}
	/*
	 * A namespace's owner (CAP_NET_ADMIN in its own user namespace) may
	 * not raise the limits that bound it: only the initial one's may.
	 */
	if ((tb[KSAD_CONFIG_MAX_SAS] || tb[KSAD_CONFIG_MAX_LARVAL] ||
	     tb[KSAD_CONFIG_MAX_POLICIES]) &&
	    !netlink_capable(skb, CAP_NET_ADMIN)) {
		NL_SET_ERR_MSG(info->extack,
			       "limits are set by CAP_NET_ADMIN in the initial user namespace");
		return -EPERM;
	}
	mutex_lock(&kn->lock);
	if (tb[KSAD_CONFIG_LARVAL_TIMEOUT])
		WRITE_ONCE(kn->larval_timeout,
			   nla_get_u32(tb[KSAD_CONFIG_LARVAL_TIMEOUT]));
	if (tb[KSAD_CONFIG_MAX_SAS])
		WRITE_ONCE(kn->max_sas, nla_get_u32(tb[KSAD_CONFIG_MAX_SAS]));
	if (tb[KSAD_CONFIG_MAX_LARVAL])
		WRITE_ONCE(kn->max_larval,
			   nla_get_u32(tb[KSAD_CONFIG_MAX_LARVAL]));
	if (tb[KSAD_CONFIG_MAX_POLICIES])
		WRITE_ONCE(kn->max_policies,
			   nla_get_u32(tb[KSAD_CONFIG_MAX_POLICIES]));
	mutex_unlock(&kn->lock);
	return 0;
}

#define KSAD_OP(c, fn, pol, max)					\
	{ .cmd = KSAD_CMD_##c, .doit = fn, .policy = pol,		\
	  .maxattr = max, .flags = GENL_UNS_ADMIN_PERM }

static const struct genl_ops ksad_ops[] = {
	KSAD_OP(GETSPI, ksad_nl_getspi, ksad_sa_policy, KSAD_SA_MAX),
	KSAD_OP(ADD, ksad_nl_add, ksad_sa_policy, KSAD_SA_MAX),
	KSAD_OP(UPDATE, ksad_nl_update, ksad_sa_policy, KSAD_SA_MAX),
	KSAD_OP(DELETE, ksad_nl_delete, ksad_sa_policy, KSAD_SA_MAX),
	{
		.cmd = KSAD_CMD_GET,
		.doit = ksad_nl_get,
		.start = ksad_nl_dump_start,
		.dumpit = ksad_nl_dump,
		.policy = ksad_sa_policy,
		.maxattr = KSAD_SA_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	KSAD_OP(FLUSH, ksad_nl_flush, ksad_sa_policy, KSAD_SA_MAX),
	KSAD_OP(GET_CONFIG, ksad_nl_get_config, ksad_config_policy,
		KSAD_CONFIG_MAX),
	KSAD_OP(SET_CONFIG, ksad_nl_set_config, ksad_config_policy,
		KSAD_CONFIG_MAX),
	KSAD_OP(POLICY_ADD, ksad_nl_policy_add, ksad_policy_policy,
		KSAD_POLICY_MAX),
	KSAD_OP(POLICY_DELETE, ksad_nl_policy_delete, ksad_policy_policy,
		KSAD_POLICY_MAX),
	{
		.cmd = KSAD_CMD_POLICY_GET,
		.doit = ksad_nl_policy_get,
		.dumpit = ksad_nl_policy_dump,
		.policy = ksad_policy_policy,
		.maxattr = KSAD_POLICY_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	KSAD_OP(POLICY_FLUSH, ksad_nl_policy_flush, ksad_policy_policy,
		KSAD_POLICY_MAX),
	KSAD_OP(GET_STATS, ksad_nl_get_stats, ksad_stat_policy,
		KSAD_STAT_MAX),
	KSAD_OP(SA_MIGRATE, ksad_nl_migrate, ksad_sa_policy, KSAD_SA_MAX),
	KSAD_OP(SOCKET_BYPASS, ksad_nl_socket_bypass, ksad_sock_policy,
		KSAD_SOCK_MAX),
};

/*
 * The groups tell which SAs exist and when they expire: listening needs
 * CAP_NET_ADMIN too, where the kernel can enforce it (compat.h).
 */

static const struct genl_multicast_group ksad_mcgrps[] = {
	[KSAD_GRP_SA] = { .name = KSAD_MCGRP_SA, .flags = KSAD_MCAST_FLAGS },
	[KSAD_GRP_EXPIRE] = { .name = KSAD_MCGRP_EXPIRE,
			      .flags = KSAD_MCAST_FLAGS },
	[KSAD_GRP_ACQUIRE] = { .name = KSAD_MCGRP_ACQUIRE,
			       .flags = KSAD_MCAST_FLAGS },
	[KSAD_GRP_MAPPING] = { .name = KSAD_MCGRP_MAPPING,
			       .flags = KSAD_MCAST_FLAGS },
};

struct genl_family ksad_genl_family __ro_after_init = {
	.name = KSAD_GENL_NAME,
	.version = KSAD_GENL_VERSION,
	.netnsok = true,
	.parallel_ops = true,
	.module = THIS_MODULE,
	.ops = ksad_ops,
	.n_ops = ARRAY_SIZE(ksad_ops),
	.mcgrps = ksad_mcgrps,
	.n_mcgrps = ARRAY_SIZE(ksad_mcgrps),
};

int __init ksad_genl_init(void)
{
	return genl_register_family(&ksad_genl_family);
}

void ksad_genl_uninit(void)
{
	genl_unregister_family(&ksad_genl_family);
}
