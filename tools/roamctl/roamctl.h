/* SPDX-License-Identifier: GPL-2.0 */
/*
 * roamctl: what the object handlers share.  The glibc headers come before
 * <linux/roam.h> so that <linux/in6.h> sees <netinet/in.h> and does not
 * define struct in6_addr a second time.
 */
#ifndef ROAMCTL_H
#define ROAMCTL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <linux/roam.h>

#ifndef ROAMCTL_VERSION
#define ROAMCTL_VERSION "unknown"
#endif

/* Exit codes, as iproute2. */
#define EXIT_OK		0
#define EXIT_FAIL	1	/* no namespace, no module, I/O error... */
#define EXIT_KERNEL	2	/* the kernel refused the request */
#define EXIT_PARSE	255	/* command-line error, nothing was sent */

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

/* Global options. */
extern bool opt_json;
extern bool opt_pretty;
extern const char *opt_netns;

/* An object handler gets the words after the object name. */
int do_config(int argc, char **argv);
int do_stats(int argc, char **argv);
int do_listener(int argc, char **argv);
int do_conn(int argc, char **argv);
int do_key(int argc, char **argv);
int do_monitor(int argc, char **argv);

/* util.c */
bool is_show(const char *word);
bool is_help(const char *word);
int unknown_command(const char *object, const char *word,
		    void (*usage)(FILE *f));
int parse_uint(const char *s, uint64_t max, uint64_t *out);
int parse_time_ms(const char *s, uint32_t *out);
int parse_cid(const char *s, uint64_t *out);
const char *state_name(unsigned int state, char *buf, size_t len);

#endif /* ROAMCTL_H */
