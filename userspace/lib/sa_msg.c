// SPDX-License-Identifier: GPL-2.0
/*
 * Parsing of SA messages from the kernel into struct sa_view.  Every
 * attribute is length-checked before use: this is a fuzz target
 * (ksadctl/tests/fuzz_sa_msg.c).
 */
#include <string.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

#include "sa_msg.h"

struct tb {
	const struct nlattr *a[64];
	int max;
};

static int collect(const struct nlattr *attr, void *data)
{
	struct tb *tb = data;
	int type = mnl_attr_get_type(attr);

	if (type <= tb->max)
		tb->a[type] = attr;
	return MNL_CB_OK;
}

static bool get_u8(const struct nlattr *a, uint8_t *v)
{
	if (!a || mnl_attr_validate(a, MNL_TYPE_U8) < 0)
		return false;
	*v = mnl_attr_get_u8(a);
	return true;
}

static bool get_u16(const struct nlattr *a, uint16_t *v)
{
	if (!a || mnl_attr_validate(a, MNL_TYPE_U16) < 0)
		return false;
	*v = mnl_attr_get_u16(a);
	return true;
}

static bool get_u32(const struct nlattr *a, uint32_t *v)
{
	if (!a || mnl_attr_validate(a, MNL_TYPE_U32) < 0)
		return false;
	*v = mnl_attr_get_u32(a);
	return true;
}

static bool get_u64(const struct nlattr *a, uint64_t *v)
{
	if (!a || mnl_attr_validate(a, MNL_TYPE_U64) < 0)
		return false;
	*v = mnl_attr_get_u64(a);
	return true;
}

/* An address from an _IPV4 (4 bytes) or _IPV6 (16 bytes) attribute. */
static bool get_addr(const struct nlattr *a4, const struct nlattr *a6,
		     struct ksad_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (a4 && mnl_attr_get_payload_len(a4) == 4) {
		out->family = AF_INET;
		memcpy(&out->v4, mnl_attr_get_payload(a4), 4);
		return true;
	}
	if (a6 && mnl_attr_get_payload_len(a6) == 16) {
		out->family = AF_INET6;
		memcpy(&out->v6, mnl_attr_get_payload(a6), 16);
		return true;
	}
	return false;
}

static int parse_nested(const struct nlattr *nest, struct tb *tb, int max)
{
	memset(tb, 0, sizeof(*tb));
	tb->max = max;
	if (mnl_attr_validate(nest, MNL_TYPE_NESTED) < 0)
		return -1;
	return mnl_attr_parse_nested(nest, collect, tb) < 0 ? -1 : 0;
}

static void get_lifetime(const struct nlattr *nest, struct sa_lifetime *lt)
{
	struct tb tb;

	if (!nest || parse_nested(nest, &tb, KSAD_LIFETIME_MAX))
		return;
	lt->set = true;
	get_u64(tb.a[KSAD_LIFETIME_BYTES], &lt->bytes);
	get_u64(tb.a[KSAD_LIFETIME_PACKETS], &lt->packets);
	get_u64(tb.a[KSAD_LIFETIME_ADD_SECONDS], &lt->add_seconds);
	get_u64(tb.a[KSAD_LIFETIME_USE_SECONDS], &lt->use_seconds);
}

static void get_sel(const struct nlattr *nest, struct sa_sel *s)
{
	struct tb tb;
	uint16_t port;

	if (!nest || parse_nested(nest, &tb, KSAD_SEL_MAX))
		return;
	s->set = get_addr(tb.a[KSAD_SEL_SRC_IPV4], tb.a[KSAD_SEL_SRC_IPV6], &s->src) &&
		 get_addr(tb.a[KSAD_SEL_DST_IPV4], tb.a[KSAD_SEL_DST_IPV6], &s->dst);
	get_u8(tb.a[KSAD_SEL_SRC_PREFIXLEN], &s->sprefix);
	get_u8(tb.a[KSAD_SEL_DST_PREFIXLEN], &s->dprefix);
	get_u8(tb.a[KSAD_SEL_PROTO], &s->proto);
	if (get_u16(tb.a[KSAD_SEL_SRC_PORT], &port))
		s->sport = ntohs(port);
	if (get_u16(tb.a[KSAD_SEL_DST_PORT], &port))
		s->dport = ntohs(port);
}

static void get_stats(const struct nlattr *nest, struct sa_stats *st)
{
	struct tb tb;

	if (!nest || parse_nested(nest, &tb, KSAD_STATS_MAX))
		return;
	st->set = true;
	get_u64(tb.a[KSAD_STATS_BYTES], &st->bytes);
	get_u64(tb.a[KSAD_STATS_PACKETS], &st->packets);
	get_u64(tb.a[KSAD_STATS_REPLAY_FAIL], &st->replay_fail);
	get_u64(tb.a[KSAD_STATS_INTEGRITY_FAIL], &st->integrity_fail);
	get_u64(tb.a[KSAD_STATS_ADD_TIME], &st->add_time);
	get_u64(tb.a[KSAD_STATS_FIRST_USE], &st->first_use);
	get_u64(tb.a[KSAD_STATS_LAST_USE], &st->last_use);
}

static void get_encap(const struct nlattr *nest, struct sa_view *v)
{
	struct tb tb;
	uint16_t port;

	if (!nest || parse_nested(nest, &tb, KSAD_ENCAP_MAX) ||
	    !get_u8(tb.a[KSAD_ENCAP_TYPE], &v->encap_type))
		return;
	if (get_u16(tb.a[KSAD_ENCAP_SPORT], &port))
		v->encap_sport = ntohs(port);
	if (get_u16(tb.a[KSAD_ENCAP_DPORT], &port))
		v->encap_dport = ntohs(port);
}

/* Returns 0, or -1 for a message that is not a well-formed ksad message. */
int sa_view_parse(const struct nlmsghdr *nlh, struct sa_view *v)
{
	const struct genlmsghdr *g;
	struct tb tb = { .max = KSAD_SA_MAX };
	uint16_t port;
	int i;

	memset(v, 0, sizeof(*v));
	/*
	 * libmnl walks attributes up to the aligned end of nlmsg_len; the
	 * kernel's messages are always padded, so refuse any other length.
	 */
	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*g)) || nlh->nlmsg_len % 4)
		return -1;
	g = mnl_nlmsg_get_payload(nlh);
	v->cmd = g->cmd;
	if (mnl_attr_parse(nlh, sizeof(*g), collect, &tb) < 0)
		return -1;
	for (i = 1; i <= KSAD_SA_MAX; i++)
		v->has[i] = tb.a[i] != NULL;
	get_u32(tb.a[KSAD_SA_SPI], &v->spi);
	get_u8(tb.a[KSAD_SA_PROTO], &v->proto);
	get_addr(tb.a[KSAD_SA_DST_IPV4], tb.a[KSAD_SA_DST_IPV6], &v->dst);
	get_addr(tb.a[KSAD_SA_SRC_IPV4], tb.a[KSAD_SA_SRC_IPV6], &v->src);
	get_u8(tb.a[KSAD_SA_DIR], &v->dir);
	get_u8(tb.a[KSAD_SA_MODE], &v->mode);
	get_u8(tb.a[KSAD_SA_STATE], &v->state);
	get_u32(tb.a[KSAD_SA_REQID], &v->reqid);
	get_u32(tb.a[KSAD_SA_REPLAY_WINDOW], &v->replay_window);
	get_u16(tb.a[KSAD_SA_ENC_ALG], &v->enc_alg);
	get_u16(tb.a[KSAD_SA_ENC_KEY_BITS], &v->enc_key_bits);
	get_u16(tb.a[KSAD_SA_AUTH_ALG], &v->auth_alg);
	get_u32(tb.a[KSAD_SA_EVENT], &v->event);
	v->esn = v->has[KSAD_SA_ESN];
	v->expire_hard = v->has[KSAD_SA_EXPIRE_HARD];
	get_sel(tb.a[KSAD_SA_SELECTOR], &v->sel);
	get_lifetime(tb.a[KSAD_SA_SOFT], &v->soft);
	get_lifetime(tb.a[KSAD_SA_HARD], &v->hard);
	get_stats(tb.a[KSAD_SA_STATS], &v->stats);
	get_encap(tb.a[KSAD_SA_ENCAP], v);
	get_addr(tb.a[KSAD_SA_MAPPING_SRC_IPV4], tb.a[KSAD_SA_MAPPING_SRC_IPV6],
		 &v->mapping_src);
	if (get_u16(tb.a[KSAD_SA_MAPPING_SPORT], &port))
		v->mapping_sport = ntohs(port);
	return 0;
}

/* A ksad message: checked header, attributes collected into @tb. */
static int msg_collect(const struct nlmsghdr *nlh, struct tb *tb, int max,
		       uint8_t *cmd)
{
	const struct genlmsghdr *g;

	memset(tb, 0, sizeof(*tb));
	tb->max = max;
	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*g)) || nlh->nlmsg_len % 4)
		return -1;
	g = mnl_nlmsg_get_payload(nlh);
	*cmd = g->cmd;
	return mnl_attr_parse(nlh, sizeof(*g), collect, tb) < 0 ? -1 : 0;
}

int policy_view_parse(const struct nlmsghdr *nlh, struct policy_view *v)
{
	struct tb tb;

	memset(v, 0, sizeof(*v));
	if (msg_collect(nlh, &tb, KSAD_POLICY_MAX, &v->cmd))
		return -1;
	get_u32(tb.a[KSAD_POLICY_ID], &v->id);
	get_u32(tb.a[KSAD_POLICY_PRIORITY], &v->priority);
	get_u32(tb.a[KSAD_POLICY_REQID], &v->reqid);
	v->has_spi = get_u32(tb.a[KSAD_POLICY_SPI], &v->spi);
	get_u8(tb.a[KSAD_POLICY_DIR], &v->dir);
	get_u8(tb.a[KSAD_POLICY_ACTION], &v->action);
	get_u8(tb.a[KSAD_POLICY_PROTO], &v->proto);
	get_u8(tb.a[KSAD_POLICY_MODE], &v->mode);
	get_u64(tb.a[KSAD_POLICY_PACKETS], &v->packets);
	get_u64(tb.a[KSAD_POLICY_ADD_TIME], &v->add_time);
	get_u64(tb.a[KSAD_POLICY_LAST_USE], &v->last_use);
	get_addr(tb.a[KSAD_POLICY_TUN_SRC_IPV4], tb.a[KSAD_POLICY_TUN_SRC_IPV6],
		 &v->tun_src);
	get_addr(tb.a[KSAD_POLICY_TUN_DST_IPV4], tb.a[KSAD_POLICY_TUN_DST_IPV6],
		 &v->tun_dst);
	get_sel(tb.a[KSAD_POLICY_SELECTOR], &v->sel);
	return 0;
}

int stats_view_parse(const struct nlmsghdr *nlh, uint64_t c[KSAD_STAT_MAX + 1])
{
	struct tb tb;
	uint8_t cmd;
	int i;

	memset(c, 0, sizeof(uint64_t) * (KSAD_STAT_MAX + 1));
	if (msg_collect(nlh, &tb, KSAD_STAT_MAX, &cmd))
		return -1;
	for (i = 1; i <= KSAD_STAT_MAX; i++)
		get_u64(tb.a[i], &c[i]);
	return 0;
}
