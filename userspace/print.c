// SPDX-License-Identifier: GPL-2.0
/* Printing SAs: `ip xfrm`-like text, or one JSON object per SA with -j. */
#include <arpa/inet.h>
#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "ksadctl.h"

bool opt_json;

#define NAME(table, i) ((i) < sizeof(table) / sizeof(table[0]) && table[i] ? table[i] : "?")

const char *name_proto(uint8_t p)
{
	return p == KSAD_PROTO_ESP ? "esp" : p == KSAD_PROTO_AH ? "ah" : "?";
}

static const char *const dirs[] = { [KSAD_DIR_IN] = "in", [KSAD_DIR_OUT] = "out" };
static const char *const modes[] = { [KSAD_MODE_TRANSPORT] = "transport",
				     [KSAD_MODE_TUNNEL] = "tunnel" };
static const char *const states[] = { [KSAD_STATE_LARVAL] = "larval",
				      [KSAD_STATE_MATURE] = "mature",
				      [KSAD_STATE_DYING] = "dying" };
static const char *const encs[] = { [KSAD_ENC_NONE] = "none",
				    [KSAD_ENC_AES_GCM_16] = "aes-gcm-16",
				    [KSAD_ENC_CHACHA20_POLY1305] = "chacha20-poly1305",
				    [KSAD_ENC_AES_CBC] = "aes-cbc",
				    [KSAD_ENC_NULL] = "null" };
static const char *const auths[] = { [KSAD_AUTH_NONE] = "none",
				     [KSAD_AUTH_HMAC_SHA256_128] = "hmac-sha256" };
static const char *const events[] = { [KSAD_EVENT_LARVAL] = "larval",
				      [KSAD_EVENT_ADDED] = "added",
				      [KSAD_EVENT_UPDATED] = "updated",
				      [KSAD_EVENT_DELETED] = "deleted",
				      [KSAD_EVENT_EXPIRED] = "expired",
				      [KSAD_EVENT_LARVAL_EXPIRED] = "larval-expired",
				      [KSAD_EVENT_FLUSHED] = "flushed" };

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
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN], t1[32], t2[32], t3[32];

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
		if (v->enc_alg == KSAD_ENC_AES_GCM_16 ||
		    v->enc_alg == KSAD_ENC_CHACHA20_POLY1305)
			fprintf(f, "\taead %s\n", NAME(encs, v->enc_alg));
		else if (v->enc_alg == KSAD_ENC_NONE)
			fprintf(f, "\tauth %s\n", NAME(auths, v->auth_alg));
		else
			fprintf(f, "\tenc %s auth %s\n", NAME(encs, v->enc_alg),
				NAME(auths, v->auth_alg));
	}
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
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];

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
			"\"esn\":%s,\"enc\":\"%s\",\"auth\":\"%s\"",
			NAME(modes, v->mode), v->reqid, v->replay_window,
			v->esn ? "true" : "false", NAME(encs, v->enc_alg),
			NAME(auths, v->auth_alg));
	if (v->sel.set)
		fprintf(f, ",\"selector\":{\"src\":\"%s/%u\",\"dst\":\"%s/%u\","
			"\"proto\":%u,\"sport\":%u,\"dport\":%u}",
			addr_str(&v->sel.src, a, sizeof(a)), v->sel.sprefix,
			addr_str(&v->sel.dst, b, sizeof(b)), v->sel.dprefix,
			v->sel.proto, v->sel.sport, v->sel.dport);
	json_lifetime(f, "soft", &v->soft);
	json_lifetime(f, "hard", &v->hard);
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
