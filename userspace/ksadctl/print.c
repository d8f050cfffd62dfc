// SPDX-License-Identifier: GPL-2.0
/* Printing SAs: `ip xfrm`-like text, or one JSON object per SA with -j. */
#include <arpa/inet.h>
#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "../lib/alg.h"
#include "ksadctl.h"

bool opt_json;

#define NAME(table, i) ((i) < sizeof(table) / sizeof(table[0]) && table[i] ? table[i] : "?")

const char *name_proto(uint8_t p)
{
	return p == KSAD_PROTO_ESP ? "esp" : p == KSAD_PROTO_AH ? "ah" : "?";
}

static const char *const dirs[] = { [KSAD_DIR_IN] = "in", [KSAD_DIR_OUT] = "out",
				    [KSAD_DIR_FWD] = "fwd" };
static const char *const actions[] = { [KSAD_ACTION_PROTECT] = "protect",
				       [KSAD_ACTION_BYPASS] = "bypass",
				       [KSAD_ACTION_DISCARD] = "discard" };
static const char *const stats[] = {
	[KSAD_STAT_IN_PACKETS] = "in-packets",
	[KSAD_STAT_OUT_PACKETS] = "out-packets",
	[KSAD_STAT_IN_NO_SA] = "in-no-sa",
	[KSAD_STAT_IN_SA_NOT_READY] = "in-sa-not-ready",
	[KSAD_STAT_IN_REPLAY] = "in-replay",
	[KSAD_STAT_IN_INTEGRITY] = "in-integrity-failed",
	[KSAD_STAT_IN_BAD_PADDING] = "in-bad-padding",
	[KSAD_STAT_IN_MALFORMED] = "in-malformed",
	[KSAD_STAT_IN_POLICY_MISMATCH] = "in-policy-mismatch",
	[KSAD_STAT_IN_PLAINTEXT_DROP] = "in-plaintext-dropped",
	[KSAD_STAT_IN_DISCARD] = "in-discarded",
	[KSAD_STAT_OUT_NO_SA] = "out-no-sa",
	[KSAD_STAT_OUT_DISCARD] = "out-discarded",
	[KSAD_STAT_OUT_SEQ_OVERFLOW] = "out-seq-overflow",
	[KSAD_STAT_OUT_ERROR] = "out-error",
	[KSAD_STAT_CRYPTO_ERROR] = "crypto-error",
	[KSAD_STAT_HARD_EXPIRED] = "hard-expired",
	[KSAD_STAT_CRYPTO_ASYNC] = "crypto-async",
	[KSAD_STAT_IN_ENCAP_MISMATCH] = "in-encap-mismatch",
	[KSAD_STAT_IN_NAT_KEEPALIVE] = "in-nat-keepalive",
};

/* Name of counter @i, or NULL for none. */
const char *stat_name(int i)
{
	return i > 0 && (size_t)i < sizeof(stats) / sizeof(stats[0]) ? stats[i] : NULL;
}
static const char *const modes[] = { [KSAD_MODE_TRANSPORT] = "transport",
				     [KSAD_MODE_TUNNEL] = "tunnel" };
static const char *const states[] = { [KSAD_STATE_LARVAL] = "larval",
				      [KSAD_STATE_MATURE] = "mature",
				      [KSAD_STATE_DYING] = "dying" };
static const char *const events[] = { [KSAD_EVENT_LARVAL] = "larval",
				      [KSAD_EVENT_ADDED] = "added",
				      [KSAD_EVENT_UPDATED] = "updated",
				      [KSAD_EVENT_DELETED] = "deleted",
				      [KSAD_EVENT_EXPIRED] = "expired",
				      [KSAD_EVENT_LARVAL_EXPIRED] = "larval-expired",
				      [KSAD_EVENT_FLUSHED] = "flushed",
				      [KSAD_EVENT_MIGRATED] = "migrated" };

const char *name_event(uint32_t e)
{
	return NAME(events, e);
}

static const char *addr_str(const struct ksad_addr *a, char *buf, size_t len)
{
	if (!a->family)
		return "-";
	return inet_ntop(a->family, a->family == AF_INET ? (const void *)&a->v4 :
			 (const void *)&a->v6, buf, (socklen_t)len);
}

static const char *time_str(uint64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!t || !gmtime_r(&tt, &tm))
		return "-";
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}

static void print_lifetime_text(FILE *f, const char *which,
				const struct sa_lifetime *lt)
{
	if (!lt->set)
		return;
	fprintf(f, "\tlifetime %s:", which);
	if (lt->add_seconds)
		fprintf(f, " time %" PRIu64 "s", lt->add_seconds);
	if (lt->use_seconds)
		fprintf(f, " time-use %" PRIu64 "s", lt->use_seconds);
	if (lt->bytes)
		fprintf(f, " bytes %" PRIu64, lt->bytes);
	if (lt->packets)
		fprintf(f, " packets %" PRIu64, lt->packets);
	fprintf(f, "\n");
}

static void print_text(FILE *f, const struct sa_view *v)
{
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN], t1[32], t2[32], t3[32], an[64];

	fprintf(f, "src %s dst %s\n", addr_str(&v->src, a, sizeof(a)),
		addr_str(&v->dst, b, sizeof(b)));
	fprintf(f, "\tproto %s spi 0x%08x dir %s state %s", name_proto(v->proto),
		v->spi, NAME(dirs, v->dir), NAME(states, v->state));
	if (v->has[KSAD_SA_EVENT])
		fprintf(f, " event %s", name_event(v->event));
	if (v->cmd == KSAD_CMD_EXPIRE)
		fprintf(f, " expire %s", v->expire_hard ? "hard" : "soft");
	fprintf(f, "\n");
	if (v->has[KSAD_SA_MODE]) {
		fprintf(f, "\tmode %s reqid %u replay-window %u%s\n",
			NAME(modes, v->mode), v->reqid, v->replay_window,
			v->esn ? " flag esn" : "");
		/* strongSwan's name, then the IKEv2 transform IDs */
		fprintf(f, "\talg %s (", alg_swan_name(v->enc_alg, v->enc_key_bits,
							v->auth_alg, an, sizeof(an)));
		if (v->enc_alg)
			fprintf(f, "encr %u%s", v->enc_alg,
				v->enc_key_bits || v->auth_alg ? ", " : "");
		if (v->enc_key_bits)
			fprintf(f, "%u-bit key%s", v->enc_key_bits,
				v->auth_alg ? ", " : "");
		if (v->auth_alg)
			fprintf(f, "integ %u", v->auth_alg);
		fprintf(f, ")\n");
	}
	if (v->encap_type)
		fprintf(f, "\tencap espinudp %u %u\n", v->encap_sport,
			v->encap_dport);
	if (v->mapping_src.family)
		fprintf(f, "\tmapping now from %s port %u\n",
			addr_str(&v->mapping_src, a, sizeof(a)), v->mapping_sport);
	if (v->sel.set)
		fprintf(f, "\tsel src %s/%u dst %s/%u proto %u sport %u dport %u\n",
			addr_str(&v->sel.src, a, sizeof(a)), v->sel.sprefix,
			addr_str(&v->sel.dst, b, sizeof(b)), v->sel.dprefix,
			v->sel.proto, v->sel.sport, v->sel.dport);
	print_lifetime_text(f, "soft", &v->soft);
	print_lifetime_text(f, "hard", &v->hard);
	if (v->stats.set)
		fprintf(f, "\tstats: %" PRIu64 " bytes %" PRIu64 " packets, replay %"
			PRIu64 " integrity %" PRIu64 "; added %s used %s last %s\n",
			v->stats.bytes, v->stats.packets, v->stats.replay_fail,
			v->stats.integrity_fail,
			time_str(v->stats.add_time, t1, sizeof(t1)),
			time_str(v->stats.first_use, t2, sizeof(t2)),
			time_str(v->stats.last_use, t3, sizeof(t3)));
}

static void json_lifetime(FILE *f, const char *key, const struct sa_lifetime *lt)
{
	if (!lt->set)
		return;
	fprintf(f, ",\"%s\":{\"bytes\":%" PRIu64 ",\"packets\":%" PRIu64
		",\"add_seconds\":%" PRIu64 ",\"use_seconds\":%" PRIu64 "}",
		key, lt->bytes, lt->packets, lt->add_seconds, lt->use_seconds);
}

static void print_json(FILE *f, const struct sa_view *v)
{
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN], an[64];

	fprintf(f, "{\"spi\":%u,\"spi_hex\":\"0x%08x\",\"proto\":\"%s\","
		"\"dst\":\"%s\",\"src\":\"%s\",\"dir\":\"%s\",\"state\":\"%s\"",
		v->spi, v->spi, name_proto(v->proto),
		addr_str(&v->dst, a, sizeof(a)), addr_str(&v->src, b, sizeof(b)),
		NAME(dirs, v->dir), NAME(states, v->state));
	if (v->has[KSAD_SA_EVENT])
		fprintf(f, ",\"event\":\"%s\"", name_event(v->event));
	if (v->cmd == KSAD_CMD_EXPIRE)
		fprintf(f, ",\"expire\":\"%s\"", v->expire_hard ? "hard" : "soft");
	if (v->has[KSAD_SA_MODE])
		fprintf(f, ",\"mode\":\"%s\",\"reqid\":%u,\"replay_window\":%u,"
			"\"esn\":%s,\"alg\":\"%s\",\"encr\":%u,"
			"\"enc_key_bits\":%u,\"integ\":%u",
			NAME(modes, v->mode), v->reqid, v->replay_window,
			v->esn ? "true" : "false",
			alg_swan_name(v->enc_alg, v->enc_key_bits, v->auth_alg,
				      an, sizeof(an)),
			v->enc_alg, v->enc_key_bits, v->auth_alg);
	if (v->sel.set)
		fprintf(f, ",\"selector\":{\"src\":\"%s/%u\",\"dst\":\"%s/%u\","
			"\"proto\":%u,\"sport\":%u,\"dport\":%u}",
			addr_str(&v->sel.src, a, sizeof(a)), v->sel.sprefix,
			addr_str(&v->sel.dst, b, sizeof(b)), v->sel.dprefix,
			v->sel.proto, v->sel.sport, v->sel.dport);
	json_lifetime(f, "soft", &v->soft);
	json_lifetime(f, "hard", &v->hard);
	if (v->encap_type)
		fprintf(f, ",\"encap\":{\"type\":\"espinudp\",\"sport\":%u,"
			"\"dport\":%u}", v->encap_sport, v->encap_dport);
	if (v->mapping_src.family)
		fprintf(f, ",\"mapping\":{\"src\":\"%s\",\"sport\":%u}",
			addr_str(&v->mapping_src, a, sizeof(a)), v->mapping_sport);
	if (v->stats.set)
		fprintf(f, ",\"stats\":{\"bytes\":%" PRIu64 ",\"packets\":%" PRIu64
			",\"replay_fail\":%" PRIu64 ",\"integrity_fail\":%" PRIu64
			",\"add_time\":%" PRIu64 ",\"first_use\":%" PRIu64
			",\"last_use\":%" PRIu64 "}",
			v->stats.bytes, v->stats.packets, v->stats.replay_fail,
			v->stats.integrity_fail, v->stats.add_time,
			v->stats.first_use, v->stats.last_use);
	fprintf(f, "}\n");
}

void sa_print(FILE *f, const struct sa_view *v)
{
	if (opt_json)
		print_json(f, v);
	else
		print_text(f, v);
}

void sel_print(FILE *f, const struct sa_sel *s)
{
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];

	if (!s->set) {
		fprintf(f, opt_json ? "null" : "any");
		return;
	}
	fprintf(f, opt_json ? "{\"src\":\"%s/%u\",\"dst\":\"%s/%u\",\"proto\":%u,"
		"\"sport\":%u,\"dport\":%u}" : "src %s/%u dst %s/%u proto %u sport %u dport %u",
		addr_str(&s->src, a, sizeof(a)), s->sprefix,
		addr_str(&s->dst, b, sizeof(b)), s->dprefix,
		s->proto, s->sport, s->dport);
}

/* Does @s name one destination host? */
static bool single_host(const struct sa_sel *s)
{
	return s->set && s->dprefix == (s->dst.family == AF_INET ? 32 : 128);
}

void policy_print(FILE *f, const struct policy_view *v)
{
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN], t1[32], t2[32];
	bool protect = v->action == KSAD_ACTION_PROTECT;

	if (opt_json) {
		fprintf(f, "{\"id\":%u,\"dir\":\"%s\",\"action\":\"%s\",\"priority\":%u,"
			"\"packets\":%" PRIu64 ",\"selector\":", v->id, NAME(dirs, v->dir),
			NAME(actions, v->action), v->priority, v->packets);
		sel_print(f, &v->sel);
		if (protect)
			fprintf(f, ",\"proto\":\"%s\",\"mode\":\"%s\",\"reqid\":%u",
				name_proto(v->proto), NAME(modes, v->mode), v->reqid);
		if (v->tun_dst.family)
			fprintf(f, ",\"tunnel\":{\"src\":\"%s\",\"dst\":\"%s\"}",
				addr_str(&v->tun_src, a, sizeof(a)),
				addr_str(&v->tun_dst, b, sizeof(b)));
		if (v->has_spi)
			fprintf(f, ",\"spi\":%u,\"spi_hex\":\"0x%08x\"", v->spi, v->spi);
		fprintf(f, ",\"add_time\":%" PRIu64 ",\"last_use\":%" PRIu64 "}\n",
			v->add_time, v->last_use);
		return;
	}
	fprintf(f, "policy %u dir %s action %s priority %u packets %" PRIu64 "\n\tsel ",
		v->id, NAME(dirs, v->dir), NAME(actions, v->action), v->priority,
		v->packets);
	sel_print(f, &v->sel);
	fprintf(f, "\n");
	if (protect) {
		fprintf(f, "\t%s mode %s reqid %u", name_proto(v->proto),
			NAME(modes, v->mode), v->reqid);
		if (v->tun_dst.family)
			fprintf(f, " tunnel src %s dst %s",
				addr_str(&v->tun_src, a, sizeof(a)),
				addr_str(&v->tun_dst, b, sizeof(b)));
		if (v->has_spi)
			fprintf(f, " sa spi 0x%08x", v->spi);
		else if (v->dir == KSAD_DIR_OUT && v->mode == KSAD_MODE_TRANSPORT &&
			 !single_host(&v->sel))
			fprintf(f, " sa per destination");
		else
			fprintf(f, " sa none");
		fprintf(f, "\n");
	}
	fprintf(f, "\tadded %s last used %s\n", time_str(v->add_time, t1, sizeof(t1)),
		time_str(v->last_use, t2, sizeof(t2)));
}
