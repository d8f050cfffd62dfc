// SPDX-License-Identifier: GPL-2.0
/*
 * ksadctl: drive the ksad Security Association Database.
 *
 * Exit codes: 0 success, 1 the kernel refused (its extended-ACK message is
 * printed), 2 bad usage, 3 ksad is not loaded.
 */
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "ksadctl.h"

static const char usage_text[] =
	"usage: ksadctl [-j] OBJECT COMMAND [ARGS]\n"
	"       ksadctl [-j] [-force] -batch FILE   (a command a line, - for stdin)\n"
	"  ksadctl sa getspi dst ADDR proto esp|ah [src ADDR] [min SPI] [max SPI]\n"
	"  ksadctl sa add    src ADDR dst ADDR proto esp|ah [spi SPI] dir in|out SA-ARGS\n"
	"  ksadctl sa update dst ADDR proto esp|ah spi SPI SA-ARGS\n"
	"                 [new-encap espinudp SPORT DPORT]\n"
	"  ksadctl sa migrate dst ADDR proto esp|ah spi SPI [encap espinudp SPORT DPORT]\n"
	"                 [new-dst ADDR] [new-src ADDR]\n"
	"                 [new-encap espinudp SPORT DPORT | new-encap none] [policies]\n"
	"  ksadctl sa delete|get dst ADDR proto esp|ah spi SPI [encap espinudp SPORT DPORT]\n"
	"  ksadctl sa list [dst ADDR] [proto esp|ah] [dir in|out]\n"
	"  ksadctl sa flush [proto esp|ah]\n"
	"  ksadctl monitor [sa] [expire] [acquire] [mapping]\n"
	"  ksadctl config [larval-timeout SECONDS] [max-sas N] [max-larval N] [max-policies N]\n"
	"  ksadctl policy add dir in|out|fwd action protect|bypass|discard [priority N]\n"
	"                 [proto esp|ah] [sel ...] [mode transport|tunnel] [reqid N]\n"
	"                 [tunnel [src ADDR] dst ADDR]\n"
	"  ksadctl policy delete|get id ID | list | flush\n"
	"  ksadctl stats\n"
	"  ksadctl socket bypass|unbypass COOKIE   (a socket's SO_COOKIE: no policy for it)\n"
	"  ksadctl family\n"
	"SA-ARGS: [mode transport|tunnel] [reqid N] [replay-window N] [flag esn]\n"
	"         alg PROPOSAL KEY [INTEG-KEY]   (strongSwan's: aes128gcm16,\n"
	"             aes256-sha384, aes128ctr-aesxcbc, chacha20poly1305; with one key,\n"
	"             the integrity key: null-sha256 INTEG-KEY, sha256 INTEG-KEY for AH)\n"
	"       | aead NAME KEY [ICV-BITS] | enc NAME KEY auth NAME KEY   (AH: auth only)\n"
	"             (`ip xfrm`'s names: rfc4106(gcm(aes)) 64|96|128, rfc4309(ccm(aes)),\n"
	"             rfc4543(gcm(aes)), rfc7539esp(chacha20,poly1305), cbc(aes),\n"
	"             rfc3686(ctr(aes)), ecb(cipher_null), hmac(sha1|sha256|sha384|sha512),\n"
	"             xcbc(aes), cmac(aes), auth-trunc NAME KEY BITS; or aes-gcm-16, aes-cbc...)\n"
	"         [sel src PREFIX dst PREFIX [proto P] [sport N] [dport N]]\n"
	"         [encap espinudp SPORT DPORT]   (ESP in UDP, ports as on the wire)\n"
	"         [limit time-soft|time-hard|time-use-soft|time-use-hard|\n"
	"                byte-soft|byte-hard|packet-soft|packet-hard N ...]\n"
	"KEY is 0x followed by hex digits, salt included (AES-GCM: 20, 28 or 36 bytes);\n"
	"its length gives the key length.  -j prints JSON.\n";

int usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "ksadctl: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n(ksadctl --help shows the syntax)\n");
	return -EXIT_USAGE;
}

int report_error(const struct knl *k, int err, const char *what)
{
	knl_perror(stderr, "ksadctl", what, k, err);
	return -EXIT_REFUSED;
}

int open_or_explain(struct knl *k)
{
	int ret = knl_open(k);

	if (ret == -ENOENT) {
		fprintf(stderr, "ksadctl: ksad is not loaded (no generic-netlink family \"ksad\"); try: modprobe ksad\n");
		return -EXIT_NOT_LOADED;
	}
	if (ret) {
		fprintf(stderr, "ksadctl: netlink: %s\n", strerror(-ret));
		return -EXIT_REFUSED;
	}
	return 0;
}

struct list_ctx {
	bool list;
	int count;
	int (*print)(const struct nlmsghdr *nlh, const char *sep);
};

static int list_cb(const struct nlmsghdr *nlh, void *data)
{
	struct list_ctx *p = data;

	if (p->print(nlh, opt_json && p->list && p->count ? "," : ""))
		return MNL_CB_ERROR;
	p->count++;
	return MNL_CB_OK;
}

int talk_print(struct knl *k, struct nlmsghdr *nlh, bool list,
	       int (*print)(const struct nlmsghdr *nlh, const char *sep))
{
	struct list_ctx pc = { .list = list, .print = print };
	int err;

	if (opt_json && list)
		fputs("[", stdout);
	err = knl_talk(k, nlh, list_cb, &pc);
	if (opt_json && list)
		fputs("]\n", stdout);
	return err;
}

static int cmd_family(void)
{
	struct knl k;
	int ret = open_or_explain(&k);

	if (ret)
		return ret;
	if (opt_json) {
		printf("{\"family\":\"ksad\",\"id\":%u,\"version\":%u,\"groups\":[",
		       k.family, k.version);
		for (int i = 0; i < k.ngroups; i++)
			printf("%s{\"name\":\"%s\",\"id\":%u}", i ? "," : "",
			       k.groups[i].name, k.groups[i].id);
		printf("]}\n");
	} else {
		printf("family ksad id %u version %u\n", k.family, k.version);
		printf("  groups:");
		for (int i = 0; i < k.ngroups; i++)
			printf(" %s", k.groups[i].name);
		printf("\n");
	}
	knl_close(&k);
	return 0;
}

static int dispatch(int argc, char **argv)
{
	while (argc > 0 && argv[0][0] == '-') {
		if (!strcmp(argv[0], "-j") || !strcmp(argv[0], "--json")) {
			opt_json = true;
		} else if (!strcmp(argv[0], "-h") || !strcmp(argv[0], "--help")) {
			fputs(usage_text, stdout);
			return 0;
		} else {
			return usage_error("unknown option \"%s\"", argv[0]);
		}
		argc--;
		argv++;
	}
	if (argc < 1) {
		fputs(usage_text, stderr);
		return -EXIT_USAGE;
	}
	if (!strcmp(argv[0], "sa"))
		return cmd_sa(argc - 1, argv + 1);
	if (!strcmp(argv[0], "monitor"))
		return cmd_monitor(argc - 1, argv + 1);
	if (!strcmp(argv[0], "config"))
		return cmd_config(argc - 1, argv + 1);
	if (!strcmp(argv[0], "family"))
		return cmd_family();
	if (!strcmp(argv[0], "policy"))
		return cmd_policy(argc - 1, argv + 1);
	if (!strcmp(argv[0], "stats"))
		return cmd_stats(argc - 1, argv + 1);
	if (!strcmp(argv[0], "socket"))
		return cmd_socket(argc - 1, argv + 1);
	return usage_error("unknown object \"%s\" (sa, policy, stats, monitor, config, family)",
			   argv[0]);
}

/*
 * -batch FILE: one command a line, as after "ksadctl" ('#' starts a
 * comment), "-" for standard input.  Like `ip -batch`, it stops at the
 * first command that fails and names its line; with -force it goes on past
 * refusals and exits 1 if any (a usage error still stops it).  One process for many requests: the tests' churn
 * of the SAD runs at kernel speed, not at exec's.
 */
static int batch(const char *path, bool force)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	char line[4096], *words[128], *save, *w;
	unsigned int lineno = 0;
	int n, ret = 0, failed = 0;
	bool json = opt_json;

	if (!f) {
		fprintf(stderr, "ksadctl: %s: %s\n", path, strerror(errno));
		return -EXIT_USAGE;
	}
	while (!ret && fgets(line, sizeof(line), f)) {
		lineno++;
		if (!strchr(line, '\n') && !feof(f)) {
			ret = usage_error("batch line %u is too long", lineno);
			break;
		}
		n = 0;
		for (w = strtok_r(line, " \t\r\n", &save); w && w[0] != '#';
		     w = strtok_r(NULL, " \t\r\n", &save)) {
			if (n == (int)(sizeof(words) / sizeof(words[0])) - 1) {
				ret = usage_error("batch line %u has too many words", lineno);
				break;
			}
			words[n++] = w;
		}
		if (ret || !n)
			continue;
		words[n] = NULL;
		ret = dispatch(n, words);
		opt_json = json;	/* a line's -j is that line's */
		fflush(stdout);
		if (ret)
			fprintf(stderr, "ksadctl: batch line %u failed\n", lineno);
		if (ret && force && ret != -EXIT_USAGE) {
			failed = -EXIT_REFUSED;
			ret = 0;
		}
	}
	if (f != stdin)
		fclose(f);
	return ret ?: failed;
}

int main(int argc, char **argv)
{
	bool force = false;
	int i = 1;

	/* [-j] [-force] -batch FILE; otherwise one command */
	for (; i < argc - 1; i++) {
		if (!strcmp(argv[i], "-j") || !strcmp(argv[i], "--json"))
			opt_json = true;
		else if (!strcmp(argv[i], "-force"))
			force = true;
		else
			break;
	}
	if (i == argc - 2 && !strcmp(argv[i], "-batch"))
		return -batch(argv[i + 1], force);
	opt_json = false;
	/* Subcommands return 0 or a negative exit code. */
	return -dispatch(argc - 1, argv + 1);
}
