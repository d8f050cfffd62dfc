// SPDX-License-Identifier: GPL-2.0
/*
 * ksadctl sa getspi|add|update|delete|get|list|flush
 *
 * The arguments read like `ip xfrm state`: keywords followed by values, in
 * any order.  Algorithms go to the kernel as IKEv2 transform IDs; they are
 * named as `ip xfrm` names them (`aead 'rfc4106(gcm(aes))' 0x... 128`,
 * `enc 'cbc(aes)' 0x... auth-trunc 'hmac(sha384)' 0x... 192`), by ksadctl's
 * short names (`aead aes-gcm-16 0x...`), or as a strongSwan proposal
 * (`alg aes256gcm16 0x...`, `alg aes128-sha256 0xENC 0xAUTH`).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <linux/genetlink.h>

#include "../lib/alg.h"
#include "ksadctl.h"

enum {	/* keyword groups, for what each command accepts */
	K_DST = 1,
	K_PROTO = 2,
	K_SPI = 4,
	K_SRC = 8,
	K_RANGE = 16,	/* min max */
	K_SA = 32,	/* dir mode reqid replay-window flag aead enc auth sel limit */
	K_FILTER = 64,	/* dir, for list */
	K_ENCAP = 128,	/* encap espinudp SPORT DPORT */
	K_NEW_ENCAP = 256,	/* new-encap espinudp SPORT DPORT, for update */
	K_MIGRATE = 512,	/* new-dst new-src new-encap none policies */
	K_ID = K_DST | K_PROTO | K_SPI,
};

struct sa_cmd {
	const char *name;
	uint8_t cmd;
	unsigned int words;
	uint16_t flags;
};

static const struct sa_cmd sa_cmds[] = {
	{ "getspi", KSAD_CMD_GETSPI, K_DST | K_PROTO | K_SRC | K_RANGE, 0 },
	{ "add", KSAD_CMD_ADD, K_ID | K_SRC | K_SA | K_ENCAP, 0 },
	{ "update", KSAD_CMD_UPDATE, K_ID | K_SRC | K_SA | K_ENCAP | K_NEW_ENCAP, 0 },
	{ "migrate", KSAD_CMD_SA_MIGRATE, K_ID | K_ENCAP | K_NEW_ENCAP | K_MIGRATE, 0 },
	{ "delete", KSAD_CMD_DELETE, K_ID | K_ENCAP, 0 },
	{ "get", KSAD_CMD_GET, K_ID | K_ENCAP, 0 },
	{ "list", KSAD_CMD_GET, K_DST | K_PROTO | K_FILTER, NLM_F_DUMP },
	{ "flush", KSAD_CMD_FLUSH, K_PROTO, 0 },
};

/* What the arguments said, before it becomes attributes. */
struct sa_args {
	struct nlmsghdr *nlh;
	struct ksad_addr dst, src, new_dst, new_src;
	struct sa_lifetime soft, hard;
	const char *cmdname;
};

int need(int argc, char **argv, int i, int n)
{
	if (i + n >= argc)
		return usage_error("'%s' needs %d value%s", argv[i], n, n > 1 ? "s" : "");
	return 0;
}

static int put_u32_arg(struct nlmsghdr *nlh, uint16_t type, const char *what,
		       const char *s)
{
	uint32_t v;

	if (parse_u32(s, &v))
		return usage_error("bad %s \"%s\"", what, s);
	mnl_attr_put_u32(nlh, type, v);
	return 0;
}

static int parse_prefix(const char *s, struct ksad_addr *a, uint8_t *plen)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash;
	uint32_t n;

	snprintf(buf, sizeof(buf), "%s", s);
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	if (parse_addr(buf, a))
		return -1;
	*plen = a->family == AF_INET ? 32 : 128;
	if (slash) {
		if (parse_u32(slash + 1, &n) || n > *plen)
			return -1;
		*plen = (uint8_t)n;
	}
	return 0;
}

int parse_l4proto(const char *s, uint8_t *p)
{
	uint32_t v;

	if (!strcmp(s, "tcp"))
		*p = 6;
	else if (!strcmp(s, "udp"))
		*p = 17;
	else if (!strcmp(s, "icmp"))
		*p = 1;
	else if (!strcmp(s, "ipv6-icmp") || !strcmp(s, "icmpv6"))
		*p = 58;
	else if (!parse_u32(s, &v) && v < 256)
		*p = (uint8_t)v;
	else
		return -1;
	return 0;
}

/* sel src PFX dst PFX [proto P] [sport|type N] [dport|code N]; returns words used. */
int parse_sel(struct nlmsghdr *nlh, uint16_t type, int argc, char **argv, int i)
{
	struct ksad_addr src = { 0 }, dst = { 0 };
	uint8_t sp = 0, dp = 0, proto = 0;
	uint32_t sport = 0, dport = 0;
	struct nlattr *nest;
	int j = i + 1;

	for (; j + 1 < argc; j += 2) {
		const char *w = argv[j], *v = argv[j + 1];

		if (!strcmp(w, "src") && !parse_prefix(v, &src, &sp))
			continue;
		if (!strcmp(w, "dst") && !parse_prefix(v, &dst, &dp))
			continue;
		if (!strcmp(w, "proto") && !parse_l4proto(v, &proto))
			continue;
		/* ICMP type and code take the ports' places, as in XFRM */
		if ((!strcmp(w, "sport") || !strcmp(w, "type")) &&
		    !parse_u32(v, &sport) && sport < 65536)
			continue;
		if ((!strcmp(w, "dport") || !strcmp(w, "code")) &&
		    !parse_u32(v, &dport) && dport < 65536)
			continue;
		if (!strcmp(w, "src") || !strcmp(w, "dst") || !strcmp(w, "proto") ||
		    !strcmp(w, "sport") || !strcmp(w, "dport") || !strcmp(w, "type") ||
		    !strcmp(w, "code"))
			return usage_error("bad selector %s \"%s\"", w, v);
		break;
	}
	if (!src.family || !dst.family)
		return usage_error("a selector needs 'src PREFIX dst PREFIX'");
	nest = mnl_attr_nest_start(nlh, type);
	put_addr(nlh, KSAD_SEL_SRC_IPV4, KSAD_SEL_SRC_IPV6, &src);
	put_addr(nlh, KSAD_SEL_DST_IPV4, KSAD_SEL_DST_IPV6, &dst);
	mnl_attr_put_u8(nlh, KSAD_SEL_SRC_PREFIXLEN, sp);
	mnl_attr_put_u8(nlh, KSAD_SEL_DST_PREFIXLEN, dp);
	mnl_attr_put_u8(nlh, KSAD_SEL_PROTO, proto);
	mnl_attr_put_u16(nlh, KSAD_SEL_SRC_PORT, htons((uint16_t)sport));
	mnl_attr_put_u16(nlh, KSAD_SEL_DST_PORT, htons((uint16_t)dport));
	mnl_attr_nest_end(nlh, nest);
	return j - i - 1;
}

/* limit time-soft N time-hard N ... (as `ip xfrm`); returns words used. */
static int parse_limit(struct sa_args *a, int argc, char **argv, int i)
{
	static const struct {
		const char *word;
		bool hard;
		size_t off;
	} w[] = {
		{ "time-soft", false, offsetof(struct sa_lifetime, add_seconds) },
		{ "time-hard", true, offsetof(struct sa_lifetime, add_seconds) },
		{ "time-use-soft", false, offsetof(struct sa_lifetime, use_seconds) },
		{ "time-use-hard", true, offsetof(struct sa_lifetime, use_seconds) },
		{ "byte-soft", false, offsetof(struct sa_lifetime, bytes) },
		{ "byte-hard", true, offsetof(struct sa_lifetime, bytes) },
		{ "packet-soft", false, offsetof(struct sa_lifetime, packets) },
		{ "packet-hard", true, offsetof(struct sa_lifetime, packets) },
	};
	int j = i + 1;

	for (; j + 1 < argc; j += 2) {
		size_t k;

		for (k = 0; k < sizeof(w) / sizeof(w[0]); k++)
			if (!strcmp(argv[j], w[k].word))
				break;
		if (k == sizeof(w) / sizeof(w[0]))
			break;
		struct sa_lifetime *lt = w[k].hard ? &a->hard : &a->soft;
		char *end;
		unsigned long long v = strtoull(argv[j + 1], &end, 0);

		if (*end || argv[j + 1][0] == '-' || !argv[j + 1][0])
			return usage_error("bad %s \"%s\"", argv[j], argv[j + 1]);
		memcpy((char *)lt + w[k].off, &(uint64_t){ v }, sizeof(uint64_t));
		lt->set = true;
	}
	if (j == i + 1)
		return usage_error("'limit' needs e.g. time-soft SECONDS or byte-hard BYTES");
	return j - i - 1;
}

/* encap|new-encap espinudp SPORT DPORT */
static int parse_encap(struct nlmsghdr *nlh, uint16_t type, char **argv, int i)
{
	uint32_t sport, dport;
	struct nlattr *nest;

	if (strcmp(argv[i + 1], "espinudp"))
		return usage_error("the only encapsulation is espinudp, not \"%s\"",
				   argv[i + 1]);
	if (parse_u32(argv[i + 2], &sport) || !sport || sport > 65535 ||
	    parse_u32(argv[i + 3], &dport) || !dport || dport > 65535)
		return usage_error("'%s espinudp' needs two UDP ports (1-65535)", argv[i]);
	nest = mnl_attr_nest_start(nlh, type);
	mnl_attr_put_u8(nlh, KSAD_ENCAP_TYPE, KSAD_ENCAP_ESPINUDP);
	mnl_attr_put_u16(nlh, KSAD_ENCAP_SPORT, htons((uint16_t)sport));
	mnl_attr_put_u16(nlh, KSAD_ENCAP_DPORT, htons((uint16_t)dport));
	mnl_attr_nest_end(nlh, nest);
	return 3;
}

/* A key argument's bytes; 0 for none ("", "0x", "-"), -1 if bad. */
static int get_key(const char *s, uint8_t *key)
{
	int len;

	if (!*s || !strcmp(s, "0x") || !strcmp(s, "-"))
		return 0;
	len = parse_hex(s, key, KSAD_KEY_MAX);
	if (len < 0)
		usage_error("bad key \"%s\" (want 0x followed by hex digits)", s);
	return len;
}

/*
 * Encryption @id with key @s: the ID, the key and, where the algorithm has
 * a choice, the key length (the key's, without its salt) or @bits if named.
 */
static int put_encr(struct nlmsghdr *nlh, uint16_t id, uint16_t bits,
		    const char *s)
{
	uint8_t key[KSAD_KEY_MAX];
	unsigned int salt = alg_encr_salt(id);
	int len = get_key(s, key);

	if (len < 0)
		return -EXIT_USAGE;
	if (!bits && alg_encr_keylen_choice(id) && (unsigned int)len > salt)
		bits = (uint16_t)((len - salt) * 8);
	mnl_attr_put_u16(nlh, KSAD_SA_ENC_ALG, id);
	if (bits && alg_encr_keylen_choice(id))
		mnl_attr_put_u16(nlh, KSAD_SA_ENC_KEY_BITS, bits);
	if (len)
		mnl_attr_put(nlh, KSAD_SA_ENC_KEY, (size_t)len, key);
	explicit_bzero(key, sizeof(key));
	return 0;
}

static int put_integ(struct nlmsghdr *nlh, uint16_t id, const char *s)
{
	uint8_t key[KSAD_KEY_MAX];
	int len = get_key(s, key);

	if (len < 0)
		return -EXIT_USAGE;
	mnl_attr_put_u16(nlh, KSAD_SA_AUTH_ALG, id);
	if (len)
		mnl_attr_put(nlh, KSAD_SA_AUTH_KEY, (size_t)len, key);
	explicit_bzero(key, sizeof(key));
	return 0;
}

/* A number of ICV bits after an `ip xfrm` name, if the next word is one. */
static unsigned int icv_bits_arg(int argc, char **argv, int i)
{
	if (i < argc && (!strcmp(argv[i], "64") || !strcmp(argv[i], "96") ||
			 !strcmp(argv[i], "128") || !strcmp(argv[i], "192") ||
			 !strcmp(argv[i], "256")))
		return (unsigned int)atoi(argv[i]);
	return 0;
}

/*
 * `aead NAME KEY [BITS]`, `enc NAME KEY`, `auth NAME KEY`, `auth-trunc NAME
 * KEY BITS` as `ip xfrm` has them (crypto API names, or ksadctl's own:
 * aes-gcm-16, aes-cbc, hmac-sha256...); `alg PROPOSAL KEY [KEY]` with a
 * strongSwan proposal (aes128gcm16, aes256-sha384, sha256 for AH).  Returns
 * the words used after the keyword, or a negative exit code.
 */
static int parse_alg(struct nlmsghdr *nlh, const char *w, int argc, char **argv,
		     int i)
{
	const char *name = argv[i + 1], *key = argv[i + 2];
	bool trunc = !strcmp(w, "auth-trunc");
	unsigned int bits = icv_bits_arg(argc, argv, i + 3);
	struct alg_encr encr;
	struct alg_word aw;
	uint16_t integ;
	int err;

	if (!strcmp(w, "alg")) {
		if (alg_swan_proposal(name, &encr, &integ))
			return usage_error("unknown proposal \"%s\" (strongSwan's: aes128gcm16, aes256-sha384, chacha20poly1305, null-sha256, sha256 for AH, ...)",
					   name);
		if (encr.id == KSAD_ENCR_NULL) {	/* one key: integrity's */
			err = put_encr(nlh, encr.id, 0, "") ?: put_integ(nlh, integ, key);
			return err ? err : 2;
		}
		if (encr.id) {
			err = put_encr(nlh, encr.id, encr.bits, key);
			if (err || !integ)
				return err ? err : 2;
			if (i + 3 >= argc)
				return usage_error("%s: an encryption key, then an integrity key",
						   name);
			err = put_integ(nlh, integ, argv[i + 3]);
			return err ? err : 3;
		}
		err = put_integ(nlh, integ, key);
		return err ? err : 2;
	}
	if (trunc && !bits)
		return usage_error("auth-trunc NAME KEY BITS");
	/*
	 * `ip xfrm ... auth 'hmac(sha256)'` truncates to 96 bits, which no
	 * IKEv2 algorithm does: a line copied from it would not interoperate.
	 */
	if (!strcmp(w, "auth") && !strcmp(name, "hmac(sha256)"))
		return usage_error("auth 'hmac(sha256)' is ambiguous (ip xfrm truncates it to 96 bits): say auth-trunc 'hmac(sha256)' KEY 128, or auth hmac-sha256");
	if (alg_xfrm_name(name, !strcmp(w, "auth") ? 0 : bits, &aw) ||
	    aw.integ != (w[0] == 'a' && w[1] == 'u') ||
	    (!aw.integ && alg_encr_combined(aw.id) != !strcmp(w, "aead")))
		return usage_error("unknown %s algorithm \"%s\"%s", w, name,
				   !strcmp(w, "aead") ?
				   " (rfc4106(gcm(aes)) with 64, 96 or 128 ICV bits, rfc4309(ccm(aes)), rfc4543(gcm(aes)), rfc7539esp(chacha20,poly1305), aes-gcm-16, ...)" :
				   !strcmp(w, "enc") ?
				   " (cbc(aes), rfc3686(ctr(aes)), ecb(cipher_null), aes-cbc, null)" :
				   " (hmac(sha1), hmac(sha256), hmac(sha384), hmac(sha512), xcbc(aes), cmac(aes); auth-trunc with its own truncation)");
	err = aw.integ ? put_integ(nlh, aw.id, key) : put_encr(nlh, aw.id, 0, key);
	if (err)
		return err;
	/* `ip xfrm` adds the ICV bits after aead and auth-trunc */
	return bits && (trunc || !strcmp(w, "aead")) ? 3 : 2;
}

static void put_lifetime(struct nlmsghdr *nlh, uint16_t type,
			 const struct sa_lifetime *lt)
{
	struct nlattr *nest;

	if (!lt->set)
		return;
	nest = mnl_attr_nest_start(nlh, type);
	mnl_attr_put_u64(nlh, KSAD_LIFETIME_BYTES, lt->bytes);
	mnl_attr_put_u64(nlh, KSAD_LIFETIME_PACKETS, lt->packets);
	mnl_attr_put_u64(nlh, KSAD_LIFETIME_ADD_SECONDS, lt->add_seconds);
	mnl_attr_put_u64(nlh, KSAD_LIFETIME_USE_SECONDS, lt->use_seconds);
	mnl_attr_nest_end(nlh, nest);
}

static int parse_args(struct sa_args *a, unsigned int words, int argc, char **argv)
{
	struct nlmsghdr *nlh = a->nlh;
	int i, n, err;

	for (i = 0; i < argc; i++) {
		const char *w = argv[i];

#define TAKES(group, nvals) do {					\
		if (!(words & (group)))					\
			return usage_error("'%s' is not an argument of 'sa %s'", w, a->cmdname); \
		err = need(argc, argv, i, nvals);			\
		if (err)						\
			return err;					\
	} while (0)

		if (!strcmp(w, "dst") || !strcmp(w, "src")) {
			struct ksad_addr *ad = w[0] == 'd' ? &a->dst : &a->src;

			TAKES(w[0] == 'd' ? K_DST : K_SRC, 1);
			if (parse_addr(argv[++i], ad))
				return usage_error("bad address \"%s\"", argv[i]);
		} else if (!strcmp(w, "proto")) {
			TAKES(K_PROTO, 1);
			i++;
			if (!strcmp(argv[i], "esp"))
				mnl_attr_put_u8(nlh, KSAD_SA_PROTO, KSAD_PROTO_ESP);
			else if (!strcmp(argv[i], "ah"))
				mnl_attr_put_u8(nlh, KSAD_SA_PROTO, KSAD_PROTO_AH);
			else
				return usage_error("proto is esp or ah, not \"%s\"", argv[i]);
		} else if (!strcmp(w, "spi")) {
			TAKES(K_SPI, 1);
			err = put_u32_arg(nlh, KSAD_SA_SPI, "SPI", argv[++i]);
			if (err)
				return err;
		} else if (!strcmp(w, "min") || !strcmp(w, "max")) {
			TAKES(K_RANGE, 1);
			err = put_u32_arg(nlh, w[1] == 'i' ? KSAD_SA_SPI_MIN :
					  KSAD_SA_SPI_MAX, "SPI", argv[++i]);
			if (err)
				return err;
		} else if (!strcmp(w, "dir")) {
			TAKES(K_SA | K_FILTER, 1);
			i++;
			if (strcmp(argv[i], "in") && strcmp(argv[i], "out"))
				return usage_error("dir is in or out, not \"%s\"", argv[i]);
			mnl_attr_put_u8(nlh, KSAD_SA_DIR, argv[i][0] == 'i' ?
					KSAD_DIR_IN : KSAD_DIR_OUT);
		} else if (!strcmp(w, "mode")) {
			TAKES(K_SA, 1);
			i++;
			if (strcmp(argv[i], "transport") && strcmp(argv[i], "tunnel"))
				return usage_error("mode is transport or tunnel, not \"%s\"",
						   argv[i]);
			mnl_attr_put_u8(nlh, KSAD_SA_MODE, argv[i][1] == 'r' ?
					KSAD_MODE_TRANSPORT : KSAD_MODE_TUNNEL);
		} else if (!strcmp(w, "reqid")) {
			TAKES(K_SA, 1);
			err = put_u32_arg(nlh, KSAD_SA_REQID, "reqid", argv[++i]);
			if (err)
				return err;
		} else if (!strcmp(w, "replay-window")) {
			TAKES(K_SA, 1);
			err = put_u32_arg(nlh, KSAD_SA_REPLAY_WINDOW, "replay window",
					  argv[++i]);
			if (err)
				return err;
		} else if (!strcmp(w, "flag")) {
			TAKES(K_SA, 1);
			if (strcmp(argv[++i], "esn"))
				return usage_error("the only flag is esn");
			mnl_attr_put(nlh, KSAD_SA_ESN, 0, NULL);
		} else if (!strcmp(w, "aead") || !strcmp(w, "enc") ||
			   !strcmp(w, "auth") || !strcmp(w, "auth-trunc") ||
			   !strcmp(w, "alg")) {
			TAKES(K_SA, 2);
			n = parse_alg(nlh, w, argc, argv, i);
			if (n < 0)
				return n;
			i += n;
		} else if (!strcmp(w, "sel")) {
			TAKES(K_SA, 4);
			n = parse_sel(nlh, KSAD_SA_SELECTOR, argc, argv, i);
			if (n < 0)
				return n;
			i += n;
		} else if (!strcmp(w, "new-dst") || !strcmp(w, "new-src")) {
			struct ksad_addr *ad = w[4] == 'd' ? &a->new_dst : &a->new_src;

			TAKES(K_MIGRATE, 1);
			if (parse_addr(argv[++i], ad))
				return usage_error("bad address \"%s\"", argv[i]);
		} else if (!strcmp(w, "policies")) {
			TAKES(K_MIGRATE, 0);
			mnl_attr_put(nlh, KSAD_SA_MIGRATE_POLICIES, 0, NULL);
		} else if (!strcmp(w, "new-encap") && i + 1 < argc &&
			   !strcmp(argv[i + 1], "none")) {
			TAKES(K_MIGRATE, 1);
			mnl_attr_put(nlh, KSAD_SA_NEW_ENCAP_NONE, 0, NULL);
			i++;
		} else if (!strcmp(w, "encap") || !strcmp(w, "new-encap")) {
			TAKES(w[0] == 'e' ? K_ENCAP : K_NEW_ENCAP, 3);
			n = parse_encap(nlh, w[0] == 'e' ? KSAD_SA_ENCAP :
					KSAD_SA_NEW_ENCAP, argv, i);
			if (n < 0)
				return n;
			i += n;
		} else if (!strcmp(w, "limit")) {
			TAKES(K_SA, 2);
			n = parse_limit(a, argc, argv, i);
			if (n < 0)
				return n;
			i += n;
		} else {
			return usage_error("unknown argument \"%s\" for 'sa %s'", w, a->cmdname);
		}
#undef TAKES
	}
	if (a->dst.family)
		put_addr(nlh, KSAD_SA_DST_IPV4, KSAD_SA_DST_IPV6, &a->dst);
	if (a->src.family)
		put_addr(nlh, KSAD_SA_SRC_IPV4, KSAD_SA_SRC_IPV6, &a->src);
	if (a->new_dst.family)
		put_addr(nlh, KSAD_SA_NEW_DST_IPV4, KSAD_SA_NEW_DST_IPV6, &a->new_dst);
	if (a->new_src.family)
		put_addr(nlh, KSAD_SA_NEW_SRC_IPV4, KSAD_SA_NEW_SRC_IPV6, &a->new_src);
	put_lifetime(nlh, KSAD_SA_SOFT, &a->soft);
	put_lifetime(nlh, KSAD_SA_HARD, &a->hard);
	return 0;
}

static int print_sa(const struct nlmsghdr *nlh, const char *sep)
{
	struct sa_view v;

	if (sa_view_parse(nlh, &v))
		return -1;
	fputs(sep, stdout);
	sa_print(stdout, &v);
	return 0;
}

int cmd_sa(int argc, char **argv)
{
	char buf[8192];
	const struct sa_cmd *c = NULL;
	struct sa_args a = { 0 };
	struct knl k;
	size_t i;
	int err;

	if (argc < 1)
		return usage_error("sa needs a command: getspi add update migrate delete get list flush");
	for (i = 0; i < sizeof(sa_cmds) / sizeof(sa_cmds[0]); i++)
		if (!strcmp(argv[0], sa_cmds[i].name))
			c = &sa_cmds[i];
	if (!c)
		return usage_error("unknown sa command \"%s\"", argv[0]);

	/* Check the arguments before talking to the kernel. */
	memset(&k, 0, sizeof(k));
	a.cmdname = c->name;
	a.nlh = knl_request(&k, buf, 0, c->cmd,
			    c->flags ? c->flags : NLM_F_ACK);
	err = parse_args(&a, c->words, argc - 1, argv + 1);
	if (err)
		return err;
	err = open_or_explain(&k);
	if (err)
		return err;
	a.nlh->nlmsg_type = k.family;
	a.nlh->nlmsg_seq = ++k.seq;
	err = talk_print(&k, a.nlh, c->flags & NLM_F_DUMP, print_sa);
	explicit_bzero(buf, sizeof(buf));	/* it held the keys */
	err = err ? report_error(&k, err, c->name) : 0;
	knl_close(&k);
	return err;
}
