/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The commands a client runs after its handshake, for honest
 * traffic and for attacks on the peer (script.c).
 */
#ifndef ROAMPEER_SCRIPT_H
#define ROAMPEER_SCRIPT_H

#include "conn.h"

#define SCRIPT_MAX_ARGS	8

struct script_cmd {
	int line;
	int argc;
	char *argv[SCRIPT_MAX_ARGS + 1];	/* argv[0] is the command */
};

struct script {
	char *text;
	struct script_cmd *cmds;
	int n;
};

int script_parse(struct script *s, const char *text);
void script_free(struct script *s);
int script_run(struct conn *c, const struct script *s, FILE *out);

#endif /* ROAMPEER_SCRIPT_H */
