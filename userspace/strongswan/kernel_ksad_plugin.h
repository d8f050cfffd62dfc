/* SPDX-License-Identifier: GPL-2.0 */
/* The kernel-ksad plugin: charon keys ksad (see kernel_ksad_private.h). */
#ifndef KERNEL_KSAD_PLUGIN_H_
#define KERNEL_KSAD_PLUGIN_H_

#include <plugins/plugin.h>

typedef struct kernel_ksad_plugin_t kernel_ksad_plugin_t;

struct kernel_ksad_plugin_t {
	plugin_t plugin;
};

plugin_t *kernel_ksad_plugin_create(void);

#endif
