// SPDX-License-Identifier: GPL-2.0
/*
 * `ksad-ike columns`: the --trace output of both peers, read as one stream
 * (both daemons writing into the same pipe, so in the order things
 * happened), printed as the seed's diagram: the initiator's SAD operations
 * on the left, the responder's on the right, the IKE messages as arrows
 * between them, events as notes in their side's column.
 *
 *   (ksad-ike ... --trace & ksad-ike ... --initiate --trace) | ksad-ike columns
 *
 * Lines that are not trace lines ("[initiator] ..." / "[responder] ...")
 * are passed through unchanged.
 */
#include <stdio.h>
#include <string.h>

#include "kernel.h"

#define COL	38

/* "OP     DIR      spi 0x... dst ADDR [(ESP in UDP)]" -> "OP DIR 0x..." */
static void sad_op(const char *rest, char *out, size_t cap)
{
	char op[16], dir[16], spi[16];

	if (sscanf(rest, "%15s %15s spi %15s", op, dir, spi) == 3)
		snprintf(out, cap, "%s %s %s%s", op, dir, spi,
			 strstr(rest, "UDP") ? " (UDP)" : "");
	else
		snprintf(out, cap, "%s", rest);
}

/* @text in the left (@right false) or right column, wrapped at COL. */
static void in_column(FILE *out, bool right, const char *prefix, const char *text)
{
	size_t len = strlen(text), at = 0, first = 1;

	while (at < len || first) {
		size_t n = len - at, room = COL - strlen(prefix);

		if (n > room) {
			n = room;
			/* break at a space if there is one */
			while (n > room / 2 && text[at + n] != ' ')
				n--;
			if (text[at + n] != ' ')
				n = room;
		}
		fprintf(out, "%*s%s%.*s\n", right ? COL + 4 : 0, "",
			first ? prefix : "  ", (int)n, text + at);
		at += n;
		while (text[at] == ' ')
			at++;
		first = 0;
	}
}

int ike_columns(FILE *in, FILE *out)
{
	char line[512], what[16], cell[512];
	int off;

	fprintf(out, "%-*s    %s\n", COL, "Initiator", "Responder");
	fprintf(out, "%-*s    %s\n", COL, "---------", "---------");
	while (fgets(line, sizeof(line), in)) {
		bool right;

		line[strcspn(line, "\n")] = 0;
		if (!strncmp(line, "[initiator] ", 12))
			right = false;
		else if (!strncmp(line, "[responder] ", 12))
			right = true;
		else {
			fprintf(out, "%s\n", line);
			continue;
		}
		if (sscanf(line + 12, "%15s %n", what, &off) != 1)
			continue;
		if (!strcmp(what, "SEND")) {
			const char *label = line + 12 + off;

			if (right)
				fprintf(out, "%*s<--- %s ----\n", COL / 2, "", label);
			else
				fprintf(out, "%*s---- %s --->\n", COL / 2, "", label);
		} else if (!strcmp(what, "NOTE")) {
			in_column(out, right, "* ", line + 12 + off);
		} else {
			sad_op(line + 12, cell, sizeof(cell));
			in_column(out, right, "", cell);
		}
		fflush(out);
	}
	return 0;
}
