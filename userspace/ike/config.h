/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ksad-ike's configuration file: connections in strongSwan's swanctl.conf
 * syntax (the subset ksad-ike understands), read into the same strings the
 * command-line options give; options given on the command line win.
 */
#ifndef KSAD_IKE_CONFIG_H
#define KSAD_IKE_CONFIG_H

#include <stddef.h>

#define IKE_CONF_STR	256

struct ike_conf {
	char name[64];			/* the connection's name */
	char local_addrs[64], remote_addrs[64];	/* one address each */
	char proposals[IKE_CONF_STR];
	char local_id[128], remote_id[128];	/* as struct ike_cfg has them */
	char child[64];			/* the CHILD SA's name */
	char local_ts[IKE_CONF_STR], remote_ts[IKE_CONF_STR];
	char esp_proposals[IKE_CONF_STR];
	char mode[16];			/* tunnel, transport */
	char start_action[16];		/* none, start, trap */
	char life_time[32];		/* seconds, or with s/m/h */
	char secret[IKE_CONF_STR];	/* secrets { ... secret = ... } */
};

int ike_conf_parse(const char *text, const char *conn, struct ike_conf *c,
		   char *err, size_t errlen);
long ike_conf_seconds(const char *s);

#endif
