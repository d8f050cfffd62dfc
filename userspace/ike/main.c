// SPDX-License-Identifier: GPL-2.0
/*
 * ksad-ike: a small IKEv2 daemon that keys ksad (issue 6).
 *
 *   ksad-ike --local ADDR --remote ADDR --psk-file FILE
 *            [--initiate | --on-demand] [--id ID] [--remote-id ID]
 *            [--mode tunnel|transport] [--local-ts PREFIX] [--remote-ts PREFIX]
 *            [--reqid N] [--ike PROPOSALS] [--esp PROPOSALS] [--lifetime S]
 *            [--port N] [--ctl SOCKET] [--cookie-threshold N] [--keepalive S]
 *            [--log 0|1|2] [--trace] [--once] [--no-kernel]
 *   ksad-ike --config FILE [--conn NAME] [options]
 *   ksad-ike ctl SOCKET [CONN] list|initiate|rekey-child [SLOT]|rekey-ike|
 *                       delete-child [SLOT]|delete-ike|terminate|dpd|
 *                       new-child LOCAL-PREFIX REMOTE-PREFIX
 *   ksad-ike columns        (both peers' --trace in, the seed's diagram out)
 *
 * PROPOSALS are strongSwan's: --ike aes256gcm16-prfsha256-ecp256,
 * aes128-sha256-modp2048 (the IKE SA: AES-GCM-16 or AES-CBC + SHA-256 with
 * 128- or 256-bit keys, ChaCha20-Poly1305); --esp aes128gcm16,aes256-sha384,
 * chacha20poly1305 (the CHILD SA: every algorithm ksad has, lib/alg.c's
 * names, handed to ksad as the IKEv2 IDs negotiated), with a group for PFS
 * in CREATE_CHILD_SA: --esp aes128gcm16-ecp256.
 * The PSK file must not be readable by group or others.  --initiate starts
 * the exchange; --on-demand installs the outbound policy and starts when
 * ksad sends ACQUIRE for it; otherwise ksad-ike answers.  --lifetime gives
 * the CHILD SAs a hard lifetime in ksad and a soft one at 80-90 % of it: the
 * soft EXPIRE makes ksad-ike rekey, a hard one delete.  --once exits when
 * the CHILD SA is up (0) or when it failed (1).  --trace prints the SAD
 * operations, the messages sent and the events as they happen; --no-kernel
 * only prints them (IKE without ksad).  --ctl takes commands on a unix
 * socket (mode 0600).  --cookie-threshold: with this many half-open IKE
 * SAs (IKE_SA_INIT answered, no IKE_AUTH yet, last 30 s; default 10, 0:
 * always) a new initiator must return a COOKIE first.  --config reads the
 * connections of a file in strongSwan's swanctl.conf syntax (config.c), or
 * only --conn NAME; with one, the command line wins over the file.  Several
 * connections (up to 8) share the IKE ports and their local address; each
 * has its own IKE SA, reqids (1, 5, 9, ...: IKE_MAX_CHILDREN apart) and
 * ksad sockets; a datagram goes to the connection whose IKE SA has its
 * SPIs, a new IKE_SA_INIT to the first connection with the sender as peer;
 * control commands take the connection's name first (`ctl SOCK bob
 * rekey-child`).  --keepalive: NAT
 * keepalive interval when the NAT is on our side (default 20 s).  --log: 0
 * failures only, 1 (default) events too, 2 every IKE message as well.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "daemon.h"

static const char usage[] =
	"usage: ksad-ike --local ADDR --remote ADDR --psk-file FILE\n"
	"                [--initiate | --on-demand] [--id ID] [--remote-id ID]\n"
	"                [--mode tunnel|transport] [--local-ts PREFIX] [--remote-ts PREFIX]\n"
	"                [--reqid N] [--ike PROPOSALS] [--esp PROPOSALS] [--lifetime S]\n"
	"                [--port N] [--remote-port N] [--natt-port N] [--ctl SOCKET]\n"
	"                [--cookie-threshold N] [--keepalive S] [--log 0|1|2]\n"
	"                [--trace] [--once] [--no-kernel]\n"
	"       ksad-ike --config FILE [--conn NAME] [options]\n"
	"       ksad-ike ctl SOCKET [CONN] COMMAND [ARGS]   (ctl SOCKET help lists them)\n"
	"       ksad-ike columns                     (two --trace outputs side by side)\n";

/* What the command line gave (NULL: not given); the file fills the rest. */
struct args {
	const char *local, *remote, *psk, *lts, *rts, *ike, *esp, *mode;
	const char *id, *remote_id;
	bool ike_given, esp_given, initiate, on_demand;
	uint32_t reqid, lifetime;
	uint16_t port, rport;
};

/* Connection @d from the command line @a and the file's @conf (or NULL). */
static int conn_setup(struct daemon *d, const struct args *a, struct ike_conf *conf)
{
	struct ike_cfg *cfg = &d->cfg;
	const char *local = a->local, *remote = a->remote, *lts = a->lts, *rts = a->rts;
	const char *ike = a->ike, *esp = a->esp, *mode = a->mode;
	bool psk_from_conf = false;

	cfg->mode = 2;
	cfg->reqid = a->reqid;
	cfg->lifetime = a->lifetime;
	d->initiate = a->initiate;
	d->on_demand = a->on_demand;
	if (a->id)
		snprintf(cfg->local_id, sizeof(cfg->local_id), "%s", a->id);
	if (a->remote_id)
		snprintf(cfg->remote_id, sizeof(cfg->remote_id), "%s", a->remote_id);
	if (conf) {
		/* the file's settings where the command line gave none */
		snprintf(d->name, sizeof(d->name), "%s", conf->name);
		local = local ? local : conf->local_addrs[0] ? conf->local_addrs : NULL;
		remote = remote ? remote : conf->remote_addrs[0] ? conf->remote_addrs : NULL;
		ike = a->ike_given ? ike : conf->proposals[0] ? conf->proposals : ike;
		esp = a->esp_given ? esp : conf->esp_proposals[0] ? conf->esp_proposals : esp;
		lts = lts ? lts : conf->local_ts[0] ? conf->local_ts : NULL;
		rts = rts ? rts : conf->remote_ts[0] ? conf->remote_ts : NULL;
		mode = mode ? mode : conf->mode[0] ? conf->mode : NULL;
		if (!cfg->local_id[0])
			snprintf(cfg->local_id, sizeof(cfg->local_id), "%s", conf->local_id);
		if (!cfg->remote_id[0])
			snprintf(cfg->remote_id, sizeof(cfg->remote_id), "%s", conf->remote_id);
		if (!strcmp(conf->start_action, "start"))
			d->initiate = true;
		else if (!strcmp(conf->start_action, "trap"))
			d->on_demand = true;
		else if (conf->start_action[0] && strcmp(conf->start_action, "none"))
			return die("start_action is none, start or trap, not %s", conf->start_action);
		if (conf->life_time[0] && !cfg->lifetime) {
			long t = ike_conf_seconds(conf->life_time);

			if (t <= 0 || t > 0xffffffffL)
				return die("bad life_time %s", conf->life_time);
			cfg->lifetime = (uint32_t)t;
		}
		psk_from_conf = !a->psk && conf->secret[0];
	}
	if (mode) {
		if (strcmp(mode, "tunnel") && strcmp(mode, "transport"))
			return die("mode is tunnel or transport, not %s", mode);
		cfg->mode = mode[1] == 'r' ? 1 : 2;
	}
	if (!local || !remote || (!a->psk && !psk_from_conf)) {
		fputs(usage, stderr);
		return die("%s", "--local, --remote and --psk-file (or a config file with them) are required");
	}
	if (ike_parse_addr(local, &cfg->local, a->port) || ike_parse_addr(remote, &cfg->remote, a->rport) ||
	    cfg->local.family != cfg->remote.family)
		return die("%s", "bad --local or --remote address");
	if (ike_parse_suites(ike, true, cfg))
		return die("bad --ike proposals: %s", ike);
	if (ike_parse_suites(esp, false, cfg))
		return die("bad --esp proposals: %s", esp);
	if (ike_parse_ts(lts ? lts : local, &cfg->local_ts) || ike_parse_ts(rts ? rts : remote, &cfg->remote_ts))
		return die("%s", "bad --local-ts or --remote-ts");
	if (!cfg->local_id[0])
		snprintf(cfg->local_id, sizeof(cfg->local_id), "%s", local);
	if (psk_from_conf) {
		size_t n = strlen(conf->secret);

		if (n > sizeof(cfg->psk))
			return die("%s", "the secret in the config file is too long");
		memcpy(cfg->psk, conf->secret, n);
		cfg->psk_len = n;
	} else if (ike_read_psk(a->psk, cfg)) {
		return 2;
	}
	if (conf)
		OPENSSL_cleanse(conf->secret, sizeof(conf->secret));
	cfg->trap = d->on_demand;
	cfg->cookie_version = 1;
	if (RAND_bytes(cfg->cookie_secret, sizeof(cfg->cookie_secret)) != 1)
		return die("%s", "no randomness for the COOKIE secret");
	return 0;
}

/* Its own ksad sockets, bypass and trap policies; 0 or an exit code. */
static int conn_open(struct daemon *d, bool dry, bool bypass)
{
	struct ike_ksad *ks = &d->ks_store;

	ks->dry = dry;
	ks->trace = tracing ? stdout : NULL;
	ks->role = d->initiate || d->on_demand ? 'I' : 'R';
	d->ks = ks;
	if (ike_ksad_open(ks))
		return die("%s", "ksad is not loaded (or no CAP_NET_ADMIN)");
	if (bypass && ike_ksad_bypass_ike(ks, &d->cfg))
		return die("%s", "could not add the bypass policies for IKE");
	d->k = ike_ksad_ops;
	d->k.ctx = ks;
	d->sa = &d->sas[0];
	d->efd = ike_ksad_listen(ks);
	if (!ks->dry && d->efd < 0)
		return die("%s", "cannot listen to ksad's ACQUIRE and EXPIRE");
	if (d->on_demand && ike_ksad_trap(ks, &d->cfg))
		return die("%s", "could not add the trap policy");
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "local", 1, NULL, 'l' }, { "remote", 1, NULL, 'r' },
		{ "id", 1, NULL, 'i' }, { "remote-id", 1, NULL, 'R' },
		{ "psk-file", 1, NULL, 'p' }, { "initiate", 0, NULL, 'I' },
		{ "mode", 1, NULL, 'm' }, { "local-ts", 1, NULL, 'L' },
		{ "remote-ts", 1, NULL, 'T' }, { "reqid", 1, NULL, 'q' },
		{ "ike", 1, NULL, 'k' }, { "esp", 1, NULL, 'e' },
		{ "port", 1, NULL, 'P' }, { "remote-port", 1, NULL, 'Q' },
		{ "natt-port", 1, NULL, 'N' }, { "ctl", 1, NULL, 'C' },
		{ "on-demand", 0, NULL, 'D' }, { "lifetime", 1, NULL, 'F' },
		{ "cookie-threshold", 1, NULL, 'K' }, { "keepalive", 1, NULL, 'A' },
		{ "config", 1, NULL, 'c' }, { "conn", 1, NULL, 'n' + 256 },
		{ "log", 1, NULL, 'g' },
		{ "trace", 0, NULL, 't' }, { "once", 0, NULL, 'o' },
		{ "no-kernel", 0, NULL, 'n' }, { NULL, 0, NULL, 0 },
	};
	static struct daemon conns[MAX_CONNS];
	static struct ike_conf confs[MAX_CONNS];
	struct args a = {
		.ike = "aes256gcm16-prfsha256-ecp256,aes128-sha256-modp2048",
		.esp = "aes128gcm16,aes256gcm16,chacha20poly1305,aes128-sha256",
		.reqid = 1, .port = 500, .rport = 500,
	};
	const char *ctl = NULL, *conf_file = NULL, *conn = NULL;
	int c, i, n_conns = 1, lfd = -1, fds[2], cookie_threshold = 10, keepalive_s = 20;
	bool once = false, dry = false, per_conn = false;
	uint16_t nport = 4500;

	if (argc >= 4 && argc <= 7 && !strcmp(argv[1], "ctl")) {
		char cmd[160];

		snprintf(cmd, sizeof(cmd), "%s %s %s %s", argv[3], argc > 4 ? argv[4] : "",
			 argc > 5 ? argv[5] : "", argc > 6 ? argv[6] : "");
		return ctl_client(argv[2], cmd);
	}
	if (argc == 2 && !strcmp(argv[1], "columns"))
		return ike_columns(stdin, stdout);
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		/* the options of one connection (with several, the file has them) */
		per_conn |= strchr("lripImLTkeDRq", c) != NULL;
		switch (c) {
		case 'l': a.local = optarg; break;
		case 'r': a.remote = optarg; break;
		case 'i': a.id = optarg; break;
		case 'R': a.remote_id = optarg; break;
		case 'p': a.psk = optarg; break;
		case 'I': a.initiate = true; break;
		case 'm': a.mode = optarg; break;
		case 'c': conf_file = optarg; break;
		case 'n' + 256: conn = optarg; break;
		case 'L': a.lts = optarg; break;
		case 'T': a.rts = optarg; break;
		case 'q': a.reqid = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'k': a.ike = optarg; a.ike_given = true; break;
		case 'e': a.esp = optarg; a.esp_given = true; break;
		case 'P': a.port = (uint16_t)atoi(optarg); break;
		case 'Q': a.rport = (uint16_t)atoi(optarg); break;
		case 'N': nport = (uint16_t)atoi(optarg); break;
		case 'C': ctl = optarg; break;
		case 'D': a.on_demand = true; break;
		case 'K': cookie_threshold = atoi(optarg); break;
		case 'A': keepalive_s = atoi(optarg); break;
		case 'g': log_level = atoi(optarg); break;
		case 'F': a.lifetime = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 't': tracing = true; break;
		case 'o': once = true; break;
		case 'n': dry = true; break;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (conf_file) {
		/* --conn NAME: that one; without it, every connection in the file */
		n_conns = ike_load_conf(conf_file, conn, confs, MAX_CONNS);
		if (n_conns < 0)
			return 2;
		if (n_conns > 1 && (per_conn || once))
			return die("%s holds %d connections: give their settings there, not as options",
				   conf_file, n_conns);
	}
	srandom((unsigned int)now_ms() ^ (unsigned int)getpid());
	for (i = 0; i < n_conns; i++) {
		struct daemon *d = &conns[i];

		d->stay = n_conns > 1;
		d->once = once;
		d->nport = nport;
		d->cookie_threshold = cookie_threshold;
		d->keepalive_s = keepalive_s;
		/* each connection's CHILD SAs have reqids of their own */
		c = conn_setup(d, &a, conf_file ? &confs[i] : NULL);
		if (c)
			return c;
		d->cfg.reqid += (uint32_t)(i * IKE_MAX_CHILDREN);
		if (i && (d->cfg.local.family != conns[0].cfg.local.family ||
			  memcmp(d->cfg.local.a, conns[0].cfg.local.a, sizeof(d->cfg.local.a))))
			return die("connection %s: all connections share local_addrs (%s has other)",
				   d->name, conns[0].name);
	}
	for (i = 0; i < n_conns; i++) {
		bool bypass = true;
		int j;

		/* one pair of bypass policies per peer */
		for (j = 0; j < i; j++)
			if (!memcmp(&conns[j].cfg.remote, &conns[i].cfg.remote,
				    sizeof(conns[i].cfg.remote)))
				bypass = false;
		c = conn_open(&conns[i], dry, bypass);
		if (c)
			return c;
	}
	if (ctl && (lfd = ctl_listen(ctl)) < 0)
		return die("cannot listen on %s: %s", ctl, strerror(errno));

	if (udp_open(&conns[0].cfg.local, a.port, nport, fds))
		return 2;
	for (i = 0; i < n_conns; i++) {
		conns[i].fds[0] = fds[0];
		conns[i].fds[1] = fds[1];
	}
	return daemon_run(conns, n_conns, lfd);
}
